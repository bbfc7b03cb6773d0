using System.Diagnostics;
using System.Net.Sockets;

namespace ChatCluster.Bench.Faults;

/// <summary>One node process of the campaign, in its own namespace, with its output in a log file.</summary>
public sealed class FaultNode
{
    public const int AkkaPort = 21010;
    public const int TcpPort = 21011;

    private readonly FaultNetwork _net;
    private readonly string _nodeDll;
    private readonly string _logDir;
    private readonly IReadOnlyList<string> _args;
    private Process? _process;
    private int _starts;

    public FaultNode(int index, FaultNetwork net, string nodeDll, string logDir, IReadOnlyList<string> args)
    {
        Index = index;
        _net = net;
        _nodeDll = nodeDll;
        _logDir = logDir;
        _args = args;
    }

    public int Index { get; }

    public string Address => _net.NodeAddress(Index);

    public string AkkaAddress => $"akka.tcp://chatcluster@{Address}:{AkkaPort}";

    public bool Running => _process is { HasExited: false };

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public string LogPath => Path.Combine(_logDir, $"node{Index}-{_starts}.log");

    public void Start()
    {
        _starts++;
        var args = new List<string> { _nodeDll, "worker", "--hostname", Address, "--akka-port", $"{AkkaPort}", "--bind", Address,
            "--tcp-port", $"{TcpPort}", "--no-websocket" };
        args.AddRange(_args);
        var p = Process.Start(_net.StartInfo(Index, "dotnet", args)) ?? throw new InvalidOperationException("cannot start a node");
        var log = new StreamWriter(LogPath) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
    }

    /// <summary>Waits until the node accepts TCP clients (bounded).</summary>
    public async Task<bool> WaitListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && Running)
        {
            try
            {
                using var c = new TcpClient();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await c.ConnectAsync(Address, TcpPort, cts.Token);
                return true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                await Task.Delay(250);
            }
        }
        return false;
    }

    public void Kill()
    {
        if (Running) _process!.Kill(entireProcessTree: false);
    }

    public async Task TerminateAsync(TimeSpan grace)
    {
        if (!Running) return;
        using (var kill = Process.Start("kill", new[] { "-TERM", _process!.Id.ToString() })) await kill!.WaitForExitAsync();
        await WaitExitAsync(grace);
        Kill();
    }

    public async Task<bool> WaitExitAsync(TimeSpan timeout)
    {
        if (_process is null) return true;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
