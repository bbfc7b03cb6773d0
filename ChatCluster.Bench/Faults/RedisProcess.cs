using System.Diagnostics;

namespace ChatCluster.Bench.Faults;

/// <summary>The campaign's redis-server (no persistence: a restart comes back empty, the case issue 12 names).</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly string _logDir;
    private Process? _process;

    public RedisProcess(string host, int port, string logDir)
    {
        _host = host;
        _port = port;
        _logDir = logDir;
    }

    public void Start()
    {
        var psi = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--bind", _host, "--port", $"{_port}", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--logfile", Path.Combine(_logDir, "redis.log") })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start redis-server");
        for (var i = 0; i < 50 && !PingAsync().GetAwaiter().GetResult(); i++) Thread.Sleep(100);
    }

    public async Task RestartAsync(TimeSpan down)
    {
        _process?.Kill();
        if (_process is not null) await _process.WaitForExitAsync();
        await Task.Delay(down);
        Start();
    }

    public async Task FlushAsync() => await Cli("FLUSHALL");

    public async Task<HashSet<string>> RoomsAsync() =>
        (await Cli("SMEMBERS", "actionhero:chatRoom:rooms")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

    private async Task<bool> PingAsync() => (await Cli("PING")).Trim() == "PONG";

    private async Task<string> Cli(params string[] command)
    {
        var psi = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-h", _host, "-p", $"{_port}" }.Concat(command)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var output = await p.StandardOutput.ReadToEndAsync(cts.Token);
            await p.WaitForExitAsync(cts.Token);
            return output;
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }
}
