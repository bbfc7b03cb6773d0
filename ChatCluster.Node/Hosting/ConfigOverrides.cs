using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Microsoft.Extensions.Configuration;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// Environment variables and <c>--key=value</c> arguments as HOCON overrides, read through
/// <see cref="IConfiguration"/>: any key under <c>chatcluster</c> or <c>akka</c>, with <c>__</c> (or <c>:</c>, or
/// <c>.</c> on the command line) between path segments and <c>_</c> for the <c>-</c> an environment variable cannot
/// hold: <c>chatcluster__tcp__port=5005</c>, <c>akka__cluster__seed_nodes__0=akka.tcp://…</c> (numbered children
/// make a list), <c>--chatcluster.websocket.ping-interval=10s</c>. Each value is checked against the type of its
/// default, so a wrong one fails at start naming the key and where it came from.
/// </summary>
public static partial class ConfigOverrides
{
    private static readonly string[] Roots = { "chatcluster", "akka" };

    /// <summary>One override: the HOCON path, its line, and where it came from (for errors).</summary>
    public sealed record Override(string Path, string Line, string Source);

    /// <summary>Overrides from the environment (lower priority) and then from <c>--key=value</c> arguments, highest priority first.</summary>
    public static IReadOnlyList<Override> Read(IEnumerable<KeyValuePair<string, string?>> environment, IEnumerable<string> keyValueArgs)
    {
        var fromArgs = Collect(new ConfigurationBuilder().AddInMemoryCollection(
            keyValueArgs.Select(ArgToPair)).Build(), a => "--" + a.Replace(':', '.'));
        var fromEnv = Collect(new ConfigurationBuilder().AddInMemoryCollection(
            environment.Where(e => e.Value is not null).Select(e => new KeyValuePair<string, string?>(EnvironmentKey(e.Key), e.Value))).Build(),
            key => "environment variable " + key.Replace(":", "__"));
        return fromArgs.Concat(fromEnv).ToArray();
    }

    /// <summary>The process's environment variables.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string));

    /// <summary>Whether a command-line argument is a <c>--key=value</c> override (the root names a config section).</summary>
    public static bool IsOverride(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal) || !arg.Contains('=')) return false;
        var key = arg[2..arg.IndexOf('=')];
        return Roots.Any(r => key.Length > r.Length && key.StartsWith(r, StringComparison.OrdinalIgnoreCase) && key[r.Length] is '.' or ':' or '_');
    }

    /// <summary>Fails naming the key when an override does not fit the type of its default.</summary>
    public static void Check(IEnumerable<Override> overrides, Config defaults)
    {
        foreach (var o in overrides)
        {
            if (o.Path.StartsWith("chatcluster.", StringComparison.Ordinal) && !Known(defaults, o.Path))
                throw new ConfigurationException($"{o.Path}: no such setting (from {o.Source}); every setting is in hocon/base.conf");
            var value = ConfigurationFactory.ParseString(o.Line);
            if (!defaults.HasPath(o.Path) || value.GetValue(o.Path) is not { } given || given.IsArray()) continue;
            var current = defaults.GetValue(o.Path);
            if (current is null || current.IsObject() || current.IsArray()) continue;
            var text = given.GetString();
            var expected = Kind(current.GetString());
            var ok = expected switch
            {
                "a number" => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
                "on/off" => IsBoolean(text),
                "a duration (e.g. 500ms, 5s, 2m)" => IsDuration(value, o.Path),
                _ => true,
            };
            if (!ok) throw new ConfigurationException($"{o.Path}: expected {expected}, got \"{text}\" (from {o.Source})");
        }
    }

    // CHATCLUSTER__TCP__PORT works too: a name written all in capitals is read in lower case (as every key in base.conf).
    private static string EnvironmentKey(string name)
    {
        var key = name.Replace("__", ":");
        return key.Any(char.IsLower) ? key : key.ToLowerInvariant();
    }

    // A key of ours is known when it has a default, or when it sits in a map that starts empty (auth.tokens {}).
    private static bool Known(Config defaults, string path)
    {
        if (defaults.HasPath(path)) return true;
        for (var parent = path; parent.LastIndexOf('.') is var dot && dot > 0;)
        {
            parent = parent[..dot];
            if (!defaults.HasPath(parent)) continue;
            var node = defaults.GetValue(parent);
            return node.IsObject() && node.GetObject().Items.Count == 0;
        }
        return false;
    }

    private static KeyValuePair<string, string?> ArgToPair(string arg)
    {
        var eq = arg.IndexOf('=');
        return new(arg[2..eq].Replace("__", ":").Replace('.', ':'), arg[(eq + 1)..]);
    }

    private static List<Override> Collect(IConfiguration configuration, Func<string, string> source)
    {
        var result = new List<Override>();
        foreach (var root in configuration.GetChildren())
        {
            var name = Roots.FirstOrDefault(r => string.Equals(r, root.Key, StringComparison.OrdinalIgnoreCase));
            if (name is not null) Flatten(root, name, result, source);
        }
        return result;
    }

    private static void Flatten(IConfigurationSection section, string path, List<Override> into, Func<string, string> source)
    {
        var children = section.GetChildren().ToArray();
        if (children.Length == 0)
        {
            into.Add(new Override(path, $"{path} = {Quote(section.Value ?? "")}", source(section.Path)));
            return;
        }
        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var items = children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(c => Quote(c.Value ?? ""));
            into.Add(new Override(path, $"{path} = [{string.Join(", ", items)}]", source(section.Path)));
            return;
        }
        foreach (var child in children) Flatten(child, path + "." + Segment(child.Key), into, source);
    }

    // Environment variables cannot hold '-': seed_nodes means seed-nodes. Other characters keep the key quoted.
    private static string Segment(string key)
    {
        var dashed = key.Replace('_', '-');
        return SimpleKey().IsMatch(dashed) ? dashed : Quote(key);
    }

    private static string Quote(string value) => ChatCluster.Transports.JsonText.Quote(value);

    private static string Kind(string defaultValue)
    {
        if (IsBoolean(defaultValue)) return "on/off";
        if (double.TryParse(defaultValue, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return "a number";
        if (DurationPattern().IsMatch(defaultValue)) return "a duration (e.g. 500ms, 5s, 2m)";
        return "text";
    }

    private static bool IsBoolean(string v) => v.ToLowerInvariant() is "on" or "off" or "true" or "false" or "yes" or "no";

    private static bool IsDuration(Config value, string path)
    {
        try
        {
            value.GetTimeSpan(path);
            return DurationPattern().IsMatch(value.GetString(path)) || value.GetString(path).ToLowerInvariant() is "off" or "infinite";
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9-]+$")]
    private static partial Regex SimpleKey();

    [GeneratedRegex(@"^\s*\d+(\.\d+)?\s*(ns|us|ms|s|m|h|d|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?)\s*$")]
    private static partial Regex DurationPattern();
}
