using System.Text;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Cmd;

/// <summary>
/// The interactive prompt on a terminal: editing (left/right, backspace, delete, Home/End), history (up/down) and Tab
/// completion from the node's palettes (one match is inserted, several are listed). Ctrl-C or Ctrl-D on an empty line
/// ends the session. Used only when stdin is a terminal; otherwise lines are read plainly.
/// </summary>
public sealed class LineEditor
{
    private const int MaxHistory = 500;

    private readonly List<string> _history = new();
    private readonly IReadOnlyList<CommandPalette> _palettes;

    public LineEditor(IReadOnlyList<CommandPalette> palettes) => _palettes = palettes;

    public IReadOnlyList<string> History => _history;

    public void Remember(string line)
    {
        if (line.Length == 0 || (_history.Count > 0 && _history[^1] == line)) return;
        _history.Add(line);
        if (_history.Count > MaxHistory) _history.RemoveAt(0);
    }

    /// <summary>Reads one line after printing <paramref name="prompt"/>; null at Ctrl-C / Ctrl-D.</summary>
    public string? ReadLine(string prompt)
    {
        Console.Write(prompt);
        var line = new StringBuilder();
        var cursor = 0;
        var historyIndex = _history.Count;
        var treat = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        Console.WriteLine();
                        return line.ToString();
                    case ConsoleKey.C when key.Modifiers.HasFlag(ConsoleModifiers.Control):
                        Console.WriteLine();
                        return null;
                    case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                        Console.WriteLine();
                        return null;
                    case ConsoleKey.Backspace when cursor > 0:
                        line.Remove(--cursor, 1);
                        break;
                    case ConsoleKey.Delete when cursor < line.Length:
                        line.Remove(cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow when cursor > 0:
                        cursor--;
                        break;
                    case ConsoleKey.RightArrow when cursor < line.Length:
                        cursor++;
                        break;
                    case ConsoleKey.Home:
                        cursor = 0;
                        break;
                    case ConsoleKey.End:
                        cursor = line.Length;
                        break;
                    case ConsoleKey.UpArrow when historyIndex > 0:
                        Replace(line, _history[--historyIndex], ref cursor);
                        break;
                    case ConsoleKey.DownArrow when historyIndex < _history.Count:
                        historyIndex++;
                        Replace(line, historyIndex < _history.Count ? _history[historyIndex] : "", ref cursor);
                        break;
                    case ConsoleKey.Tab:
                        Complete(prompt, line, ref cursor);
                        break;
                    default:
                        if (!char.IsControl(key.KeyChar)) line.Insert(cursor++, key.KeyChar);
                        break;
                }
                Redraw(prompt, line, cursor);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treat;
        }
    }

    private void Complete(string prompt, StringBuilder line, ref int cursor)
    {
        var head = line.ToString(0, cursor);
        var candidates = Completion.Candidates(head, _palettes);
        if (candidates.Count == 0) return;
        var words = ShellWords.Split(head) ?? new List<string>();
        var partial = head.EndsWith(' ') || words.Count == 0 ? "" : words[^1];
        var insert = candidates.Count == 1 ? candidates[0] + " " : Completion.CommonPrefix(candidates);
        if (insert.Length > partial.Length)
        {
            line.Insert(cursor, insert[partial.Length..]);
            cursor += insert.Length - partial.Length;
        }
        else if (candidates.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine(string.Join("  ", candidates));
            Console.Write(prompt);
        }
    }

    private static void Replace(StringBuilder line, string text, ref int cursor)
    {
        line.Clear().Append(text);
        cursor = line.Length;
    }

    private static void Redraw(string prompt, StringBuilder line, int cursor)
    {
        Console.Write("\r\u001b[K" + prompt + line);
        var back = line.Length - cursor;
        if (back > 0) Console.Write($"\u001b[{back}D");
    }
}
