using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatCluster.Messages.Commands;

/// <summary>
/// The ccm wire protocol: one JSON object per line, each with a "type". The client says <see cref="Hello"/> (with the
/// token), the node answers <see cref="Welcome"/> (its palettes, so the client parses and completes only what this
/// node serves) or <see cref="Denied"/>. Each <see cref="Run"/> is answered by zero or more <see cref="Line"/>s and
/// exactly one <see cref="End"/>, the final marker; errors are values in the End, never a dropped connection.
/// </summary>
public abstract record CommandFrame
{
    public sealed record Hello(string? Token, string Client) : CommandFrame;

    public sealed record Welcome(string Node, string Version, IReadOnlyList<CommandPalette> Palettes) : CommandFrame;

    public sealed record Denied(string Error) : CommandFrame;

    public sealed record Run(long Id, string Palette, string Verb, IReadOnlyDictionary<string, string> Args) : CommandFrame;

    public sealed record Cancel(long Id) : CommandFrame;

    /// <summary>One output line: the text pbm would print, and the same facts as a JSON object for --json.</summary>
    public sealed record Line(long Id, string Text, JsonObject? Data) : CommandFrame;

    public sealed record End(long Id, string Status, string? Error) : CommandFrame
    {
        public const string Ok = "ok";
        public const string Failed = "error";
        public const string Usage = "usage";
        public const string TimedOut = "timeout";
        public const string Refused = "refused";
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public string ToJson()
    {
        JsonObject o = this switch
        {
            Hello h => new JsonObject { ["type"] = "hello", ["token"] = h.Token, ["client"] = h.Client },
            Welcome w => new JsonObject
            {
                ["type"] = "welcome", ["node"] = w.Node, ["version"] = w.Version,
                ["palettes"] = JsonSerializer.SerializeToNode(w.Palettes, Options),
            },
            Denied d => new JsonObject { ["type"] = "denied", ["error"] = d.Error },
            Run r => new JsonObject
            {
                ["type"] = "run", ["id"] = r.Id, ["palette"] = r.Palette, ["verb"] = r.Verb,
                ["args"] = new JsonObject(r.Args.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
            },
            Cancel c => new JsonObject { ["type"] = "cancel", ["id"] = c.Id },
            Line l => new JsonObject { ["type"] = "line", ["id"] = l.Id, ["text"] = l.Text, ["data"] = l.Data?.DeepClone() },
            End e => new JsonObject { ["type"] = "end", ["id"] = e.Id, ["status"] = e.Status, ["error"] = e.Error },
            _ => throw new InvalidOperationException(GetType().Name),
        };
        return o.ToJsonString();
    }

    /// <summary>Parses one line; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static CommandFrame Parse(string line)
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("a frame must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException("not JSON: " + e.Message);
        }
        var type = Str(o, "type") ?? throw new FormatException("a frame needs a \"type\"");
        return type switch
        {
            "hello" => new Hello(Str(o, "token"), Str(o, "client") ?? ""),
            "welcome" => new Welcome(Str(o, "node") ?? "", Str(o, "version") ?? "",
                o["palettes"].Deserialize<List<CommandPalette>>(Options) ?? new List<CommandPalette>()),
            "denied" => new Denied(Str(o, "error") ?? ""),
            "run" => new Run(ReadId(o), Str(o, "palette") ?? throw new FormatException("run needs a palette"),
                Str(o, "verb") ?? throw new FormatException("run needs a verb"), ReadArgs(o["args"])),
            "cancel" => new Cancel(ReadId(o)),
            "line" => new Line(ReadId(o), Str(o, "text") ?? "", o["data"] as JsonObject is { } d ? (JsonObject)d.DeepClone() : null),
            "end" => new End(ReadId(o), Str(o, "status") ?? End.Failed, Str(o, "error")),
            _ => throw new FormatException($"unknown frame type \"{type}\""),
        };
    }

    private static string? Str(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long ReadId(JsonObject o) =>
        o["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : throw new FormatException("a frame needs a numeric \"id\"");

    private static IReadOnlyDictionary<string, string> ReadArgs(JsonNode? node)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null) return args;
        if (node is not JsonObject o) throw new FormatException("\"args\" must be an object of strings");
        foreach (var (key, value) in o)
            args[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"argument {key} must be a string");
        return args;
    }
}
