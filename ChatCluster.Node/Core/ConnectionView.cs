using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace ChatCluster.Node.Core;

/// <summary>
/// What middleware and actions see of a connection: an immutable snapshot that the connection's actor
/// republishes whenever its rooms or properties change (so hooks running on other threads never touch
/// actor state). <see cref="Properties"/> holds marks such as "authenticated" (ActionHero's <c>connection.set</c>).
/// </summary>
public sealed record ConnectionView(
    string Id,
    string Type,
    string RemoteIp,
    int RemotePort,
    string Fingerprint,
    long ConnectedAt,
    ImmutableArray<string> Rooms,
    ImmutableDictionary<string, JsonNode?> Properties)
{
    /// <summary>The stand-in for server-side broadcasts (ActionHero passes <c>{}</c>): no rooms, no properties.</summary>
    public static readonly ConnectionView Server = new("0", "server", "", 0, "0", 0,
        ImmutableArray<string>.Empty, ImmutableDictionary<string, JsonNode?>.Empty);

    public JsonNode? Get(string key) => Properties.TryGetValue(key, out var value) ? value : null;

    /// <summary>True when the property is JSON <c>true</c>.</summary>
    public bool Is(string key) => Get(key) is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
