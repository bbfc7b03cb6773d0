using System.Net.Sockets;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Operations;

/// <summary>The drain (ChatNode.DrainAsync, what SIGTERM runs) and readiness, each on a node of its own.</summary>
public sealed class DrainTests
{
    private static Task<ChatNode> StartAsync(params string[] overrides) =>
        ChatNode.StartAsync(TestConfig.Node(overrides, "drain") with { Environment = Array.Empty<KeyValuePair<string, string?>>() });

    [Fact]
    public async Task Readiness_should_turn_false_during_the_drain_while_liveness_stays_true()
    {
        var node = await StartAsync("chatcluster.drain.unready-delay = 3s");
        var port = node.ManagementPort;
        Assert.Equal(200, (await Management.GetAsync(port, "/healthz/ready")).Status);
        var drain = node.DrainAsync();
        await Eventually.TrueAsync(async () => (await Management.GetAsync(port, "/healthz/ready")) == (503, "Unhealthy: draining\n"), "ready answers 503 draining");
        Assert.Equal(200, (await Management.GetAsync(port, "/healthz/live")).Status);
        Assert.False(drain.IsCompleted); // still waiting for the load balancers
        await using (var client = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed())
            await client.RequestAsync("roomView defaultRoom"); // and still serving while not ready
        await drain.WaitAsync(Timeouts.Expect);
    }

    [Fact]
    public async Task A_client_connecting_during_the_drain_should_get_a_goodbye_or_a_refusal_never_silence()
    {
        var node = await StartAsync("chatcluster.drain.unready-delay = 500ms");
        var tcpPort = node.TcpPort;
        var connected = new List<Task<(List<string> Lines, bool Reset)>>();
        var refused = 0;
        await using var early = await (await TcpTestClient.ConnectAsync(tcpPort)).Welcomed();
        var drain = node.DrainAsync();
        // Connect again and again until the listener is gone: before, during and after admission closed.
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (DateTime.UtcNow < deadline)
        {
            TcpTestClient client;
            try
            {
                client = await TcpTestClient.ConnectAsync(tcpPort);
            }
            catch (SocketException)
            {
                refused++;
                if (drain.IsCompleted) break;
                continue;
            }
            connected.Add(ReadAllAsync(client));
            await Task.Delay(10);
        }
        await drain.WaitAsync(Timeouts.Expect);
        Assert.True(refused > 0, "the listener closed in the end");
        Assert.NotEmpty(connected);
        // Each connection got its goodbye, or was reset before a single byte (the kernel had queued it when the listener
        // closed: a refusal, as a closed port is). A connection held open, or closed cleanly without Bye!, fails.
        foreach (var (lines, reset) in await Task.WhenAll(connected))
            Assert.True(lines.Any(l => l.Contains("\"Bye!\"", StringComparison.Ordinal)) || (reset && lines.Count == 0),
                $"neither a goodbye nor a refusal: reset={reset}, lines=[{string.Join(" | ", lines)}]");
        Assert.Contains(await early.ReadToEndAsync(), l => l.Contains("\"Bye!\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Websocket_clients_should_get_primus_server_close_from_the_drain_and_while_it_runs()
    {
        var node = await StartAsync("chatcluster.drain.unready-delay = 1s");
        var webPort = node.WebPort;
        await using var early = await (await WebSocketTestClient.ConnectAsync(webPort)).Welcomed();
        var drain = node.DrainAsync();
        await Eventually.TrueAsync(() => node.Operations.Readiness.Draining, "the drain started");
        await using var late = await WebSocketTestClient.ConnectAsync(webPort); // while not ready: still served, then said goodbye
        Assert.Contains("\"primus::server::close\"", await early.ReadToCloseAsync());
        Assert.Contains("\"primus::server::close\"", await late.ReadToCloseAsync());
        await drain.WaitAsync(Timeouts.Expect);
    }

    // Lines until the server ends the connection, and whether it ended with a reset rather than a close.
    private static async Task<(List<string> Lines, bool Reset)> ReadAllAsync(TcpTestClient client)
    {
        await using (client)
        {
            var lines = new List<string>();
            var deadline = DateTime.UtcNow + Timeouts.Expect;
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    lines.Add(await client.ReadLineAsync(deadline - DateTime.UtcNow));
                }
                catch (IOException e)
                {
                    return (lines, e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset });
                }
            }
            throw new TimeoutException("the server neither said goodbye nor closed the connection");
        }
    }

    [Fact]
    public async Task Readiness_should_be_false_before_the_node_is_up()
    {
        var management = FreePort.Next();
        var nowhere = FreePort.Next(); // a seed that never answers: the node cannot become Up
        using var cancel = new CancellationTokenSource();
        var start = ChatNode.StartAsync(
            TestConfig.Node([$"chatcluster.management.port = {management}", $"akka.cluster.seed-nodes = [\"akka.tcp://drain@127.0.0.1:{nowhere}\"]"], "drain")
                with { LogLevel = LogLevel.Error, Environment = Array.Empty<KeyValuePair<string, string?>>() },
            cancel.Token);
        (int Status, string Body) ready = default;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                ready = await Management.GetAsync(management, "/healthz/ready");
                return true;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, "the management listener answers while the node starts");
        Assert.Equal(503, ready.Status);
        Assert.Contains("not up", ready.Body);
        Assert.Contains("listeners not bound", ready.Body);
        Assert.Equal(200, (await Management.GetAsync(management, "/healthz/live")).Status);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
    }
}
