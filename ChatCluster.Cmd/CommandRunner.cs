using System.Text.Json.Nodes;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Cmd;

/// <summary>
/// Runs one command line (already split into words) against a connected node and prints its output: pbm's text lines,
/// or with --json one JSON object per line. Returns ccm's exit code; errors are printed, never thrown.
/// </summary>
public sealed class CommandRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // A verb with its own timeout switch (node drain) gets this much longer on the client, to hear the node's own answer.
    private static readonly TimeSpan OwnTimeoutMargin = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(3);

    private readonly CmdClient _client;
    private readonly TextWriter _out;
    private readonly TextWriter _error;

    public CommandRunner(CmdClient client, TextWriter output, TextWriter error)
    {
        _client = client;
        _out = output;
        _error = error;
    }

    public async Task<int> RunAsync(IReadOnlyList<string> words, bool json, string? timeout, CancellationToken interrupt)
    {
        if (words.Count == 0) return CommandExitCodes.Ok;
        if (words[0] == "help") return Help(words.Skip(1).FirstOrDefault());
        var palette = _client.Palettes.FirstOrDefault(p => p.Name == words[0]);
        if (palette is null)
            return Usage($"unknown palette {words[0]}; this node serves: {string.Join(", ", _client.Palettes.Select(p => p.Name))} (try help)");
        if (words.Count >= 2 && words[1] is "--help" or "-h") return Help(palette.Name);
        if (words.Count < 2)
        {
            Help(palette.Name);
            return CommandExitCodes.Usage;
        }
        var command = palette.Command(words[1]);
        if (command is null)
            return Usage($"unknown verb {palette.Name} {words[1]}; verbs: {string.Join(", ", palette.Commands.Select(c => c.Name))}");
        var tokens = words.Skip(2).ToList();
        if (tokens.Contains("--help") || tokens.Contains("-h"))
        {
            PrintVerb(command);
            return CommandExitCodes.Ok;
        }
        var ownTimeout = command.Switch("timeout") is not null;
        if (ownTimeout && timeout is not null && !tokens.Contains("--timeout") && !tokens.Contains("-t")) tokens.AddRange(new[] { "--timeout", timeout });
        var parsed = VerbParser.Parse(command, tokens);
        if (parsed.Error is not null) return Usage($"{parsed.Error}\nusage: {VerbParser.Usage(command)}");

        TimeSpan? wait = command.Streaming ? null
            : ownTimeout ? (Invocation.ParseDuration(parsed.Args.GetValueOrDefault("timeout") ?? command.Switch("timeout")!.Default ?? "30s") ?? DefaultTimeout) + OwnTimeoutMargin
            : timeout is not null ? Invocation.ParseDuration(timeout) : DefaultTimeout;
        using var timer = new CancellationTokenSource();
        if (wait is { } w) timer.CancelAfter(w);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, interrupt);
        CommandFrame.End end;
        try
        {
            end = await _client.RunAsync(palette.Name, command.Name, parsed.Args, line => Print(line, json), either.Token, CancelGrace);
        }
        catch (ConnectException e)
        {
            return Fail(CommandExitCodes.NotConnected, "connection", e.Message, json);
        }
        if (timer.IsCancellationRequested)
            return Fail(CommandExitCodes.Timeout, CommandFrame.End.TimedOut, $"no answer within {wait!.Value.TotalSeconds:0.#}s (--timeout)", json);
        return end.Status switch
        {
            CommandFrame.End.Ok => CommandExitCodes.Ok,
            CommandFrame.End.Usage => Fail(CommandExitCodes.Usage, end.Status, end.Error ?? "usage", json),
            CommandFrame.End.TimedOut => Fail(CommandExitCodes.Timeout, end.Status, end.Error ?? "timed out", json),
            CommandFrame.End.Refused => Fail(CommandExitCodes.NotConnected, end.Status, end.Error ?? "refused", json),
            _ => Fail(CommandExitCodes.CommandError, end.Status, end.Error ?? "failed", json),
        };
    }

    private void Print(CommandFrame.Line line, bool json)
    {
        _out.WriteLine(json ? (line.Data ?? new JsonObject { ["line"] = line.Text }).ToJsonString() : line.Text);
        _out.Flush();
    }

    private int Fail(int code, string status, string error, bool json)
    {
        if (json) _out.WriteLine(new JsonObject { ["status"] = status, ["error"] = error }.ToJsonString());
        _error.WriteLine($"ccm: {error}");
        _out.Flush();
        _error.Flush();
        return code;
    }

    private int Usage(string message)
    {
        _error.WriteLine($"ccm: {message}");
        _error.Flush();
        return CommandExitCodes.Usage;
    }

    /// <summary>The palettes this node registered (pbm's help), or one palette's verbs.</summary>
    public int Help(string? paletteName)
    {
        var palettes = paletteName is null ? _client.Palettes : _client.Palettes.Where(p => p.Name == paletteName).ToList();
        if (palettes.Count == 0) return Usage($"unknown palette {paletteName}");
        if (paletteName is null) _out.WriteLine($"{_client.Welcome.Node} (ChatCluster {_client.Welcome.Version}) serves these palettes:");
        foreach (var p in palettes)
        {
            _out.WriteLine($"{p.Name}: {p.Description}");
            foreach (var c in p.Commands) _out.WriteLine($"  {VerbParser.Usage(c),-66} {c.Description}");
        }
        if (paletteName is null) _out.WriteLine("Add --json for JSON lines, --help after a verb for its switches; exit or quit to leave.");
        _out.Flush();
        return CommandExitCodes.Ok;
    }

    private void PrintVerb(CommandDefinition c)
    {
        _out.WriteLine($"usage: {VerbParser.Usage(c)}");
        _out.WriteLine($"  {c.Description}");
        foreach (var s in c.Switches)
            _out.WriteLine($"  {(s.Short.Length > 0 ? $"-{s.Short}, " : "")}--{s.Name,-18} {s.Description}{(s.Default is null ? "" : $" (default {s.Default})")}{(s.Mandatory ? " (required)" : "")}");
        _out.Flush();
    }
}
