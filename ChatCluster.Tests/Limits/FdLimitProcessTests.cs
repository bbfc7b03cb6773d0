using System.Diagnostics;
using System.Net.Sockets;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Limits;

/// <summary>
/// A real node process under a small open-file limit (<c>prlimit --nofile=512:512</c>). Before the backing-off
/// accept loop, ~700 connects took such a node down within a second: Kestrel's accept loop spun on EMFILE and the
/// process died "Out of memory." (exit 134).
/// </summary>
public sealed class FdLimitProcessTests
{
    private const int FdLimit = 512;
    private static readonly string[] UnderFdLimit = { "prlimit", $"--nofile={FdLimit}:{FdLimit}" };

    [Fact]
    public async Task Node_refuses_to_start_when_max_connections_do_not_fit_under_the_fd_limit()
    {
        // The defaults (10,000 connections + 512 headroom) do not fit under 512.
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeProcess.StartUnderAsync(UnderFdLimit, "--rooms", ""));
        Assert.Contains("node exited (", e.Message);
        Assert.DoesNotContain("node exited (0)", e.Message);
        Assert.Contains("chatcluster.limits.max-connections (10000) + chatcluster.limits.fd-headroom (512)", e.Message);
        Assert.Contains($"ulimit -n = {FdLimit}", e.Message);
    }

    [Fact]
    public async Task Node_survives_reaching_the_fd_limit_backs_off_and_recovers()
    {
        // max-connections fits the check (no headroom), so the process really runs out of descriptors.
        var config = Path.Combine(Path.GetTempPath(), $"fd-limit-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, "chatcluster.limits { max-connections = 500, fd-headroom = 0, accept-log-interval = 1s }\n");
        var sockets = new List<Socket>();
        try
        {
            await using var node = await NodeProcess.StartUnderAsync(UnderFdLimit, "--rooms", "", "--config", config);
            var connects = Enumerable.Range(0, 700).Select(async _ =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                lock (sockets) sockets.Add(s);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await s.ConnectAsync("127.0.0.1", node.TcpPort, timeout.Token);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    // the listen backlog is full too: fine, the node is what is under test
                }
            });
            await Task.WhenAll(connects);
            await Eventually.TrueAsync(() => node.HasExited || node.Log.Contains("[1102] accept on", StringComparison.Ordinal),
                "the accept loop to report the fd limit", TimeSpan.FromSeconds(20));
            Assert.False(node.HasExited, "the node died at the fd limit:\n" + node.Log);

            // At the limit: alive, not spinning (memory flat), logging once per interval.
            var rssBefore = node.RssBytes;
            var watch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.False(node.HasExited, "the node died at the fd limit:\n" + node.Log);
            var growth = node.RssBytes - rssBefore;
            Assert.True(growth < 30L << 20, $"RSS grew {growth >> 20} MB in {watch.Elapsed.TotalSeconds:0.0} s at the fd limit");
            var reports = node.Log.Split('\n').Count(l => l.Contains("[1102]", StringComparison.Ordinal));
            Assert.True(reports <= 10, $"{reports} accept-failure lines in ~5 s with accept-log-interval = 1s:\n{node.Log}");

            // Clients leave: the node accepts again.
            lock (sockets)
            {
                foreach (var s in sockets) s.Dispose();
                sockets.Clear();
            }
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await using var client = await TcpTestClient.ConnectAsync(node.TcpPort);
                    await client.Welcomed();
                    return true;
                }
                catch (Exception ex) when (ex is IOException or TimeoutException or SocketException)
                {
                    return false;
                }
            }, "a new client to be welcomed after the others left", TimeSpan.FromSeconds(30));
            Assert.False(node.HasExited);
        }
        finally
        {
            lock (sockets) foreach (var s in sockets) s.Dispose();
            File.Delete(config);
        }
    }
}
