using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChatCluster.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence (<c>--save "" --appendonly no</c>),
/// started once per test collection and killed on dispose. Tests share it and stay independent by using their own
/// key prefix (<see cref="NewKeyPrefix"/>). redis-server must be on PATH (CI installs it).
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private const int StartAttempts = 3; // the free port is found by binding and releasing it; another process may take it meanwhile

    private Process? _process;
    private readonly StringBuilder _output = new();

    public int Port { get; private set; }

    /// <summary>StackExchange.Redis connection string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A key prefix no other test uses, e.g. <c>journal-spec-1a2b3c4d:</c>.</summary>
    public static string NewKeyPrefix(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..8]}:";

    public async Task InitializeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            _process = Start(Port);
            if (await WaitForPingAsync(_process, Port)) return;
            Kill();
            if (attempt == StartAttempts)
                throw new InvalidOperationException($"redis-server did not answer PING on 127.0.0.1:{Port} within {StartTimeout} ({attempt} attempts). Output:\n{Output}");
        }
    }

    public Task DisposeAsync()
    {
        Kill();
        return Task.CompletedTask;
    }

    /// <summary>Stops the server (SIGKILL: as abrupt as a crash); <see cref="RestartAsync"/> brings it back on the same port.</summary>
    public void Stop() => Kill();

    /// <summary>Starts the server again on the same port (empty: no persistence) and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        Kill();
        _process = Start(Port);
        if (!await WaitForPingAsync(_process, Port))
            throw new InvalidOperationException($"redis-server did not come back on 127.0.0.1:{Port} within {StartTimeout}. Output:\n{Output}");
    }

    /// <summary>A loopback port nothing listens on (bound and released at once).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Output { get { lock (_output) return _output.ToString(); } }

    private Process Start(int port)
    {
        var psi = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            psi.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed or not on PATH (apt-get install redis-server)", e);
        }
        // Drain both pipes, otherwise a chatty server blocks on a full pipe; keep the text for failure messages.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> WaitForPingAsync(Process process, int port)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token);
                var buffer = new byte[16];
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal)) return true;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(20); // polling interval while the server starts, not a synchronization sleep
        }
        return false;
    }

    private void Kill()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
    }
}

/// <summary>Tests that need Redis join this collection: <c>[Collection("redis")]</c>; one server for all of them.</summary>
[CollectionDefinition("redis")]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
}
