using System.Diagnostics;
using System.Text;

namespace ChatCluster.Tests.Support;

/// <summary>A real ChatCluster node process started through its command line (the test output holds ChatCluster.Node.dll).</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private NodeProcess(Process process, int tcpPort, int webPort)
    {
        _process = process;
        TcpPort = tcpPort;
        WebPort = webPort;
    }

    public int TcpPort { get; }

    public int WebPort { get; }

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
        var info = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var w in wrapper.Skip(1)) info.ArgumentList.Add(w);
        if (wrapper.Count > 0) info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ChatCluster.Node.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var a in new[] { "--tcp-port", tcp.ToString(), "--web-port", web.ToString() }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var node = new NodeProcess(process, tcp, web);
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
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"node did not start within 60 s:\n{node.Log}");
            await Task.Delay(100);
        }
        return node;
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
