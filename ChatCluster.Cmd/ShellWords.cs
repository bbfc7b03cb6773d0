using System.Text;

namespace ChatCluster.Cmd;

/// <summary>Splits an interactive line into words as a POSIX shell would for simple quoting: '...', "...", backslash.</summary>
public static class ShellWords
{
    /// <summary>The words, or null when a quote is not closed.</summary>
    public static List<string>? Split(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\') current.Append(line[++i]);
                else current.Append(c);
                continue;
            }
            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    inWord = true;
                    break;
                case '\\' when i + 1 < line.Length:
                    current.Append(line[++i]);
                    inWord = true;
                    break;
                case ' ' or '\t':
                    if (inWord) words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                    break;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (quote != '\0') return null;
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
