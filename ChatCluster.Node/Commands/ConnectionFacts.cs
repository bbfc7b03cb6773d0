using System.Text.Json.Nodes;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Commands;

/// <summary>A connection as ccm shows it. Property values are redacted unless asked for: they may hold user data.</summary>
public static class ConnectionFacts
{
    public const string Redacted = "<redacted>";

    public static JsonObject Of(LocalConnection connection, string node, bool showProperties)
    {
        var v = connection.View;
        var properties = new JsonObject();
        foreach (var (key, value) in v.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            properties[key] = showProperties ? value?.DeepClone() : Redacted;
        return new JsonObject
        {
            ["id"] = v.Id,
            ["node"] = node,
            ["type"] = v.Type,
            ["remote"] = $"{v.RemoteIp}:{v.RemotePort}",
            ["connectedAt"] = v.ConnectedAt,
            ["rooms"] = new JsonArray(v.Rooms.Select(r => (JsonNode?)r).ToArray()),
            ["properties"] = properties,
        };
    }

    public static string Summary(JsonObject c) =>
        $"{c["id"]} | {c["type"]} | {c["remote"]} | rooms [{string.Join(",", c["rooms"]!.AsArray().Select(x => (string?)x))}] | connectedAt {c["connectedAt"]}";
}
