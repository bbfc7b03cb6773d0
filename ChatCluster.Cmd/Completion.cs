using ChatCluster.Messages.Commands;

namespace ChatCluster.Cmd;

/// <summary>Tab completion for the interactive prompt: palettes, then verbs, then the verb's switches.</summary>
public static class Completion
{
    public static readonly string[] BuiltIns = { "help", "exit", "quit" };

    /// <summary>Candidates for the last (partial) word of <paramref name="line"/>, sorted.</summary>
    public static IReadOnlyList<string> Candidates(string line, IReadOnlyList<CommandPalette> palettes)
    {
        var endsWithSpace = line.Length > 0 && line[^1] == ' ';
        var words = ShellWords.Split(line) ?? new List<string>();
        var partial = endsWithSpace || words.Count == 0 ? "" : words[^1];
        var before = endsWithSpace ? words : words.Take(Math.Max(0, words.Count - 1)).ToList();
        IEnumerable<string> all = before.Count switch
        {
            0 => palettes.Select(p => p.Name).Concat(BuiltIns),
            1 when before[0] == "help" => palettes.Select(p => p.Name),
            1 => palettes.FirstOrDefault(p => p.Name == before[0])?.Commands.Select(c => c.Name) ?? Enumerable.Empty<string>(),
            _ => palettes.FirstOrDefault(p => p.Name == before[0])?.Command(before[1]) is { } verb
                ? verb.Switches.Select(s => "--" + s.Name).Where(s => !before.Contains(s)).Append("--json")
                : Enumerable.Empty<string>(),
        };
        return all.Where(c => c.StartsWith(partial, StringComparison.Ordinal)).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList();
    }

    /// <summary>The longest common prefix of the candidates (what Tab inserts when several match).</summary>
    public static string CommonPrefix(IReadOnlyList<string> candidates)
    {
        if (candidates.Count == 0) return "";
        var prefix = candidates[0];
        foreach (var c in candidates.Skip(1))
        {
            var n = 0;
            while (n < prefix.Length && n < c.Length && prefix[n] == c[n]) n++;
            prefix = prefix[..n];
        }
        return prefix;
    }
}
