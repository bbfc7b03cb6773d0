using System.Diagnostics;
using System.Text;

namespace ChatCluster.Tests.Support;

/// <summary>A real ChatCluster node process started through its command line (the test output holds ChatCluster.Node.dll).</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private NodeProcess(Process process, int tcpPort, int webPort, int cmdPort)
    {
        _process = process;
        TcpPort = tcpPort;
        WebPort = webPort;
        CmdPort = cmdPort;
    }

    public int TcpPort { get; }

    public int WebPort { get; }

    /// <summary>The ccm command listener's port (a free one unless the arguments give --cmd-port).</summary>
    public int CmdPort { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Pid => _process.Id;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static async Task<NodeProcess> StartAsync(params string[] args)
    {
        var tcp = FreePort.Next();
        var web = FreePort.Next();
        var given = Array.IndexOf(args, "--cmd-port");
        var cmd = given >= 0 ? int.Parse(args[given + 1]) : FreePort.Next();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ChatCluster.Node.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var a in new[] { "--tcp-port", tcp.ToString(), "--web-port", web.ToString() }) info.ArgumentList.Add(a);
        if (given < 0) foreach (var a in new[] { "--cmd-port", cmd.ToString() }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var node = new NodeProcess(process, tcp, web, cmd);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (node._log) node._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node._log) node._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!node.Log.Contains(" up: tcp ", StringComparison.Ordinal))
        {
            if (process.HasExited) throw new InvalidOperationException($"node exited ({process.ExitCode}):\n{node.Log}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"node did not start within 60 s:\n{node.Log}");
            await Task.Delay(100);
        }
        return node;
    }

    /// <summary>Waits for the process to exit by itself (a drain, a refused start); its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>kill -9: no goodbye, no leave; the cluster must notice.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts a node that is expected to refuse to start: returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ChatCluster.Node.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the node did not exit within {timeout}:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>SIGTERM: the node says goodbye to its clients and leaves the cluster.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", new[] { "-TERM", _process.Id.ToString() })) await kill!.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
