using Akka.Configuration;

namespace ChatCluster.Node.Actions;

/// <summary>
/// <c>chatcluster.auth</c>: the users allowed to authenticate (user → token) and the room patterns that
/// require it (<c>*</c> matches any run of characters).
/// </summary>
public sealed record AuthSettings(IReadOnlyDictionary<string, string> Tokens, IReadOnlyList<string> ProtectedRooms)
{
    public static AuthSettings Create(Config root)
    {
        var c = root.GetConfig("chatcluster.auth");
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c?.GetConfig("tokens") is { } t && !t.IsEmpty)
            foreach (var entry in t.AsEnumerable())
                tokens[entry.Key] = entry.Value.GetString();
        var patterns = c?.GetStringList("protected-rooms") ?? new List<string>();
        return new AuthSettings(tokens, patterns.ToArray());
    }

    public bool IsProtected(string room)
    {
        foreach (var pattern in ProtectedRooms)
            if (Matches(pattern, room)) return true;
        return false;
    }

    /// <summary>Returns the user whose token this is, or null. Compares in constant time per user.</summary>
    public string? UserFor(string token)
    {
        string? user = null;
        var given = System.Text.Encoding.UTF8.GetBytes(token);
        foreach (var (name, expected) in Tokens)
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.UTF8.GetBytes(expected))) user = name;
        return user;
    }

    private static bool Matches(string pattern, string text)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1) return pattern == text;
        if (!text.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var position = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = text.IndexOf(parts[i], position, StringComparison.Ordinal);
            if (found < 0) return false;
            position = found + parts[i].Length;
        }
        var last = parts[^1];
        return text.Length - position >= last.Length && text.EndsWith(last, StringComparison.Ordinal);
    }
}
