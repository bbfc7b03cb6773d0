using System.Globalization;
using ChatCluster.Messages;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Node.Commands;

/// <summary>
/// The node's own check of a request's switches against the table (a client may be another version, or not ccm):
/// unknown switches, missing mandatory ones and values outside the allowed set are refused; defaults are filled in.
/// Pure, so it is tested by a table.
/// </summary>
public sealed class CommandArgs
{
    private readonly IReadOnlyDictionary<string, string> _values;

    private CommandArgs(IReadOnlyDictionary<string, string> values) => _values = values;

    public static CommandArgs Empty { get; } = new(new Dictionary<string, string>());

    public static (CommandArgs? Args, string? Error) Bind(CommandDefinition command, IReadOnlyDictionary<string, string> given)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in given)
        {
            var s = command.Switch(key);
            if (s is null) return (null, ChatErrors.CmdUnknownSwitch(key));
            if (s.AllowedValues is { Count: > 0 } allowed && !allowed.Contains(value))
                return (null, ChatErrors.CmdBadValue(s.Name, value, "one of " + string.Join(", ", allowed)));
            values[s.Name] = value;
        }
        foreach (var s in command.Switches)
        {
            if (values.ContainsKey(s.Name)) continue;
            if (s.Mandatory) return (null, ChatErrors.CmdMissingSwitch(s.Name));
            if (s.Default is not null) values[s.Name] = s.Default;
        }
        return (new CommandArgs(values), null);
    }

    public string? this[string name] => _values.TryGetValue(name, out var v) ? v : null;

    public bool Flag(string name) => _values.TryGetValue(name, out var v) && v is "" or "true";

    /// <summary>A positive integer switch; throws <see cref="CommandException"/> with a usage error otherwise.</summary>
    public int PositiveInt(string name)
    {
        var raw = this[name] ?? throw new CommandException(ChatErrors.CmdMissingSwitch(name), usage: true);
        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new CommandException(ChatErrors.CmdBadValue(name, raw, "a positive number"), usage: true);
    }

    /// <summary>A duration such as 30s, 500ms, 2m or a plain number of seconds.</summary>
    public TimeSpan Duration(string name)
    {
        var raw = this[name] ?? throw new CommandException(ChatErrors.CmdMissingSwitch(name), usage: true);
        return ParseDuration(raw) ?? throw new CommandException(ChatErrors.CmdBadValue(name, raw, "a duration like 30s"), usage: true);
    }

    public static TimeSpan? ParseDuration(string raw)
    {
        (string suffix, double scale)[] units = { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, scale) in units)
        {
            if (!raw.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var number = raw[..^suffix.Length];
            if (suffix == "s" && number.EndsWith('m')) continue; // "ms" handled first
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? TimeSpan.FromSeconds(v * scale) : null;
        }
        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>For the audit log: switch names with values, body switches redacted.</summary>
    public static string Describe(CommandDefinition command, IReadOnlyDictionary<string, string> given) =>
        string.Join(" ", given.Select(kv =>
        {
            var s = command.Switch(kv.Key);
            var name = s?.Name ?? kv.Key;
            return s is { IsBody: true } ? $"--{name} <{kv.Value.Length} chars>" : $"--{name} {Quote(kv.Value)}";
        }));

    private static string Quote(string v) => v.Length <= 120 && !v.Any(char.IsWhiteSpace) ? v : ChatCluster.Transports.JsonText.Quote(v.Length > 120 ? v[..120] + "…" : v);
}

/// <summary>A command refused with a message (a value sent to the client as the End frame, not a crash).</summary>
public sealed class CommandException : Exception
{
    public CommandException(string message, bool usage = false) : base(message) => Usage = usage;

    public bool Usage { get; }
}
