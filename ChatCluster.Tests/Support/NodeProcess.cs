using System.Diagnostics;
using System.Text;

namespace ChatCluster.Tests.Support;

/// <summary>A real ChatCluster node process started through its command line (the test output holds ChatCluster.Host.dll).</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private NodeProcess(Process process, int tcpPort, int webPort, int managementPort, int cmdPort)
    {
        ManagementPort = managementPort;
        _process = process;
        TcpPort = tcpPort;
        WebPort = webPort;
        CmdPort = cmdPort;
    }

    public int TcpPort { get; }

    public int WebPort { get; }

    /// <summary>/metrics and /healthz/* (a free port: processes in parallel tests never share one).</summary>
    public int ManagementPort { get; }

    /// <summary>The ccm command listener's port (a free one unless the arguments give --cmd-port).</summary>
    public int CmdPort { get; }


    public int ExitCode => _process.ExitCode;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Resident memory of the node process in bytes (Linux /proc), 0 once it has exited.</summary>
    public long RssBytes
    {
        get
        {
            try
            {
                var line = File.ReadLines($"/proc/{Pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    /// <summary>Open file descriptors of the node process (Linux /proc).</summary>
    public int OpenFds => Directory.Exists($"/proc/{Pid}/fd") ? Directory.GetFiles($"/proc/{Pid}/fd").Length : 0;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static Task<NodeProcess> StartAsync(params string[] args) => StartUnderAsync(Array.Empty<string>(), args);

    /// <summary>Starts the node through a wrapper command, e.g. <c>prlimit --nofile=512:512</c> (which execs dotnet).</summary>
    public static async Task<NodeProcess> StartUnderAsync(IReadOnlyList<string> wrapper, params string[] args)
    {
        var tcp = FreePort.Next();
        var web = FreePort.Next();
        var management = FreePort.Next();
        var given = Array.IndexOf(args, "--cmd-port");
        var cmd = given >= 0 ? int.Parse(args[given + 1]) : FreePort.Next();
        var info = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var w in wrapper.Skip(1)) info.ArgumentList.Add(w);
        if (wrapper.Count > 0) info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ChatCluster.Host.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var a in new[] { "--tcp-port", tcp.ToString(), "--web-port", web.ToString(), "--management-port", management.ToString() }) info.ArgumentList.Add(a);
        if (given < 0) foreach (var a in new[] { "--cmd-port", cmd.ToString() }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var node = new NodeProcess(process, tcp, web, management, cmd);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (node._log) node._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node._log) node._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!node.Log.Contains(" up: tcp ", StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // the parameterless wait also drains the redirected output into the log
                throw new InvalidOperationException($"node exited ({process.ExitCode}):\n{node.Log}");
            }
            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true); // a node that never came up must not outlive the test
                throw new TimeoutException($"node did not start within 60 s:\n{node.Log}");
            }
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
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ChatCluster.Host.dll"));
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
