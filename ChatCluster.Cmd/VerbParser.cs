using System.CommandLine;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Cmd;

/// <summary>The switches of one verb, parsed against the node's definition with System.CommandLine.</summary>
public sealed record VerbParse(IReadOnlyDictionary<string, string> Args, string? Error);

/// <summary>
/// Turns a verb's definition (data from the node) into a System.CommandLine command and parses the user's tokens:
/// <c>-r room</c>, <c>--room room</c>, <c>--room=room</c>, flags; unknown switches, missing mandatory switches and
/// values outside the allowed set are usage errors. Defaults are left to the node, which owns them.
/// </summary>
public static class VerbParser
{
    public static VerbParse Parse(CommandDefinition definition, IReadOnlyList<string> tokens)
    {
        var command = new Command(definition.Name, definition.Description);
        var options = new List<(CommandSwitch Switch, Option Option)>();
        foreach (var s in definition.Switches)
        {
            var aliases = s.Short.Length > 0 ? new[] { "-" + s.Short } : Array.Empty<string>();
            Option option;
            if (s.IsFlag)
            {
                option = new Option<bool>("--" + s.Name, aliases) { Description = s.Description };
            }
            else
            {
                var value = new Option<string>("--" + s.Name, aliases) { Description = s.Description, Required = s.Mandatory };
                if (s.AllowedValues is { Count: > 0 } allowed) value.AcceptOnlyFromAmong(allowed.ToArray());
                option = value;
            }
            command.Options.Add(option);
            options.Add((s, option));
        }
        var result = command.Parse(tokens.ToArray());
        if (result.Errors.Count > 0) return new VerbParse(new Dictionary<string, string>(), string.Join("; ", result.Errors.Select(e => e.Message)));
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (s, option) in options)
        {
            var given = result.GetResult(option);
            if (given is null || given.Implicit) continue;
            args[s.Name] = s.IsFlag
                ? (result.GetValue((Option<bool>)option) ? "true" : "false")
                : result.GetValue((Option<string>)option) ?? "";
        }
        return new VerbParse(args, null);
    }

    /// <summary>One help line per verb: <c>palette verb -r|--room ROOM [-n|--count N]</c> and its description.</summary>
    public static string Usage(CommandDefinition d)
    {
        var parts = new List<string> { d.Palette, d.Name };
        foreach (var s in d.Switches)
        {
            var names = (s.Short.Length > 0 ? $"-{s.Short}|" : "") + $"--{s.Name}";
            var text = s.IsFlag ? names : $"{names} {s.Name.ToUpperInvariant()}";
            parts.Add(s.Mandatory ? text : $"[{text}]");
        }
        return string.Join(" ", parts);
    }
}
