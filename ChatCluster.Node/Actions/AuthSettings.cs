using Akka.Configuration;
using ChatCluster.Node.Actions.BuiltIn;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Actions;

/// <summary>
/// <c>chatcluster.auth</c>: the users allowed to authenticate (user → token), the room patterns that require it
/// (<c>*</c> matches any run of characters), the users with the admin role, the caps on room creation by everyone
/// else, and the slow-down of failed authentications.
/// </summary>
public sealed record AuthSettings(IReadOnlyDictionary<string, string> Tokens, IReadOnlyList<string> ProtectedRooms)
{
    /// <summary><c>chatcluster.auth.admins</c>: users who may destroy rooms and create protected ones, without creation caps.</summary>
    public IReadOnlySet<string> Admins { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary><c>chatcluster.auth.create</c>.</summary>
    public RoomCreationCaps Creation { get; init; } = RoomCreationCaps.Unlimited;

    /// <summary><c>chatcluster.auth.authenticate</c>.</summary>
    public AuthThrottleSettings Authenticate { get; init; } = AuthThrottleSettings.Off;

    public static AuthSettings Create(Config root)
    {
        var c = root.GetConfig("chatcluster.auth");
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c?.GetConfig("tokens") is { } t && !t.IsEmpty)
            foreach (var entry in t.AsEnumerable())
                tokens[entry.Key] = entry.Value.GetString();
        var patterns = c?.GetStringList("protected-rooms") ?? new List<string>();
        var admins = new HashSet<string>(c?.GetStringList("admins") ?? new List<string>(), StringComparer.Ordinal);
        foreach (var admin in admins)
            if (!tokens.ContainsKey(admin))
                throw new ConfigurationException(
                    $"chatcluster.auth.admins lists \"{admin}\", who has no token in chatcluster.auth.tokens (an admin must be able to authenticate)");
        return new AuthSettings(tokens, patterns.ToArray())
        {
            Admins = admins,
            Creation = new RoomCreationCaps(
                PerConnection: Positive(root, "chatcluster.auth.create.per-connection"),
                PerAddressPerMinute: Positive(root, "chatcluster.auth.create.per-address-per-minute"),
                MaxRooms: Positive(root, "chatcluster.auth.create.max-rooms")),
            Authenticate = AuthThrottleSettings.Create(root),
        };
    }

    internal static int Positive(Config root, string path)
    {
        if (!root.HasPath(path)) throw new ConfigurationException($"{path} is missing (see hocon/base.conf)");
        var value = root.GetLong(path);
        if (value is <= 0 or > int.MaxValue) throw new ConfigurationException($"{path} must be between 1 and {int.MaxValue}, was {value}");
        return (int)value;
    }

    public bool IsProtected(string room)
    {
        foreach (var pattern in ProtectedRooms)
            if (ChatCluster.Transports.Limits.RoomPattern.Matches(pattern, room)) return true;
        return false;
    }

    /// <summary>
    /// True when the connection authenticated as a user listed in <see cref="Admins"/>. The marks are set only by the
    /// <c>authenticate</c> action (or, over HTTP, by a valid token on the request); clients cannot set properties.
    /// </summary>
    public bool IsAdmin(ConnectionView connection) =>
        connection.Is(AuthenticateAction.AuthenticatedProperty)
        && connection.Get(AuthenticateAction.UserProperty) is System.Text.Json.Nodes.JsonValue v
        && v.TryGetValue<string>(out var user)
        && Admins.Contains(user);

    /// <summary>
    /// Returns the user whose token this is, or null. Every token is compared, each in constant time, so the time
    /// taken says nothing about which token (or how much of one) matched.
    /// </summary>
    public string? UserFor(string token)
    {
        string? user = null;
        var given = System.Text.Encoding.UTF8.GetBytes(token);
        foreach (var (name, expected) in Tokens)
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.UTF8.GetBytes(expected))) user = name;
        return user;
    }
}

/// <summary><c>chatcluster.auth.create</c>: room creation caps for callers without the admin role.</summary>
public sealed record RoomCreationCaps(int PerConnection, int PerAddressPerMinute, int MaxRooms)
{
    public static readonly RoomCreationCaps Unlimited = new(int.MaxValue, int.MaxValue, int.MaxValue);
}
