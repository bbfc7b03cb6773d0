using ChatCluster.Messages.Commands;

namespace ChatCluster.Cmd;

/// <summary>
/// pbm's interactive form: a <c>[HOST:PORT] ccm&gt;</c> prompt, <c>help</c>, history and Tab completion on a terminal,
/// plain line reading when stdin is redirected (scripts, tests). Ctrl-C stops a running tail and returns to the prompt;
/// at the prompt it leaves. The session ends at exit/quit, end of input, or when the node goes away.
/// </summary>
public sealed class InteractiveShell
{
    private readonly CmdClient _client;
    private readonly CommandRunner _runner;
    private readonly string _prompt;
    private readonly TextReader _input;
    private readonly TextWriter _out;
    private readonly bool _terminal;

    public InteractiveShell(CmdClient client, CommandRunner runner, string target, TextReader input, TextWriter output, bool terminal)
    {
        _client = client;
        _runner = runner;
        _prompt = $"[{target}] ccm> ";
        _input = input;
        _out = output;
        _terminal = terminal;
    }

    public async Task<int> RunAsync(bool json, string? timeout)
    {
        var editor = _terminal ? new LineEditor(_client.Palettes) : null;
        CancellationTokenSource? running = null;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Ctrl-C during a command cancels that command only; the session stays.
            if (running is { } r)
            {
                e.Cancel = true;
                r.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            _out.WriteLine($"Connected to {_client.Welcome.Node} (ChatCluster {_client.Welcome.Version}). Type help, or exit.");
            // The session's exit code is 0 unless the node went away (3): command errors were printed where they happened.
            var last = CommandExitCodes.Ok;
            while (true)
            {
                string? line;
                if (editor is not null)
                {
                    line = editor.ReadLine(_prompt);
                }
                else
                {
                    _out.Write(_prompt);
                    _out.Flush();
                    line = await _input.ReadLineAsync();
                    if (line is not null) _out.WriteLine(line);
                }
                if (line is null) return last;
                line = line.Trim();
                if (line.Length == 0) continue;
                editor?.Remember(line);
                if (line is "exit" or "quit") return last;
                var words = ShellWords.Split(line);
                if (words is null)
                {
                    _out.WriteLine("ccm: unclosed quote");
                    continue;
                }
                var lineJson = json || words.Remove("--json");
                running = new CancellationTokenSource();
                try
                {
                    var code = await _runner.RunAsync(words, lineJson, timeout, running.Token);
                    if (code == CommandExitCodes.NotConnected && !_client.Connected) return code;
                }
                finally
                {
                    running.Dispose();
                    running = null;
                }
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
