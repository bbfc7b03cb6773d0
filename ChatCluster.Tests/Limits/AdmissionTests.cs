using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using ChatCluster.Bench.Load;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Limits;

/// <summary>A node that admits 4 connections, 2 per address, and closes silent sockets after 1 s.</summary>
public sealed class SmallAdmissionFixture : NodeFixture
{
    public const int MaxConnections = 4;
    public const int MaxPerAddress = 2;

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.limits.max-connections = {MaxConnections}",
        $"chatcluster.limits.max-connections-per-address = {MaxPerAddress}",
        "chatcluster.limits.handshake-timeout = 1s",
        "chatcluster.limits.first-request-timeout = 1s",
    };
}

/// <summary>
/// Connection admission and silent-socket timeouts over real sockets (chatcluster.limits): past a limit a TCP client
/// gets one error line and EOF, a websocket upgrade gets an HTTP 503, at once; silent sockets are closed.
/// </summary>
public sealed class AdmissionTests : IClassFixture<SmallAdmissionFixture>
{
    private static readonly string AddressFullLine = $"{{\"status\":\"error\",\"error\":\"{ChatErrors.TooManyConnectionsFromAddress}\",\"context\":\"api\"}}";
    private static readonly string NodeFullLine = $"{{\"status\":\"error\",\"error\":\"{ChatErrors.TooManyConnections}\",\"context\":\"api\"}}";

    private readonly SmallAdmissionFixture _node;

    public AdmissionTests(SmallAdmissionFixture node) => _node = node;

    // Each test starts from an empty node (connections of the previous test are released asynchronously).
    private Task NoConnectionsAsync() => Eventually.TrueAsync(() => _node.Node.Admission!.Open == 0, "the node to have no connections open");

    [Fact]
    public async Task Tcp_client_past_the_limits_gets_an_error_line_and_is_closed_at_once()
    {
        await NoConnectionsAsync();
        var open = new List<TcpTestClient>();
        try
        {
            open.Add(await (await TcpTestClient.ConnectFromAsync(_node.TcpPort, "127.0.0.1")).Welcomed());
            open.Add(await (await TcpTestClient.ConnectFromAsync(_node.TcpPort, "127.0.0.1")).Welcomed());

            // A third from the same address: refused, whatever the node has free.
            var started = Stopwatch.StartNew();
            await using (var third = await TcpTestClient.ConnectFromAsync(_node.TcpPort, "127.0.0.1"))
                Assert.Equal(new[] { AddressFullLine }, await third.ReadToEndAsync());
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"refusal took {started.Elapsed}");

            // Other addresses fill the node; past max-connections every address is refused.
            open.Add(await (await TcpTestClient.ConnectFromAsync(_node.TcpPort, "127.0.0.2")).Welcomed());
            open.Add(await (await TcpTestClient.ConnectFromAsync(_node.TcpPort, "127.0.0.3")).Welcomed());
            await using (var fifth = await TcpTestClient.ConnectFromAsync(_node.TcpPort, "127.0.0.4"))
                Assert.Equal(new[] { NodeFullLine }, await fifth.ReadToEndAsync());
            Assert.Equal(SmallAdmissionFixture.MaxConnections, _node.Node.Admission!.Open);

            // The admitted ones are untouched, and a freed slot is taken again.
            var details = await open[0].RequestAsync("detailsView");
            Assert.Equal("OK", (string?)details["status"]);
            await open[3].DisposeAsync();
            open.RemoveAt(3);
            await Eventually.TrueAsync(() => _node.Node.Admission!.Open < SmallAdmissionFixture.MaxConnections, "a slot to be released");
            open.Add(await (await TcpTestClient.ConnectFromAsync(_node.TcpPort, "127.0.0.4")).Welcomed());
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Websocket_upgrade_past_the_limit_gets_http_503()
    {
        await NoConnectionsAsync();
        var open = new List<TcpTestClient>();
        try
        {
            foreach (var address in new[] { "127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.2" })
                open.Add(await (await TcpTestClient.ConnectFromAsync(_node.TcpPort, address)).Welcomed());

            using var socket = new TcpClient();
            await socket.ConnectAsync("127.0.0.1", _node.WebPort);
            var stream = socket.GetStream();
            await stream.WriteAsync(ClientFrames.UpgradeRequest("localhost", "/primus?_primuscb=x", "dGhlIHNhbXBsZSBub25jZQ=="));
            var response = await ReadToEndAsync(stream);
            Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", response);
            Assert.Contains("\r\nConnection: close\r\n", response);
            Assert.EndsWith("\r\n\r\n" + ChatErrors.TooManyConnections, response);
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Silent_tcp_client_gets_the_first_request_timeout_and_is_closed()
    {
        await NoConnectionsAsync();
        var started = Stopwatch.StartNew();
        await using var silent = await TcpTestClient.ConnectAsync(_node.TcpPort);
        var lines = await silent.ReadToEndAsync();
        Assert.Equal(2, lines.Count); // the welcome, then why
        Assert.Equal($"{{\"status\":\"error\",\"error\":\"{ChatErrors.FirstRequestTimeout(1)}\",\"context\":\"api\"}}", lines[1]);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"closed after {started.Elapsed} (timeout 1 s)");
    }

    [Fact]
    public async Task Tcp_client_that_sent_a_request_is_not_timed_out()
    {
        await NoConnectionsAsync();
        await using var client = await (await TcpTestClient.ConnectAsync(_node.TcpPort)).Welcomed();
        Assert.Equal("OK", (string?)(await client.RequestAsync("detailsView"))["status"]);
        Assert.True(await client.IsSilentAsync(TimeSpan.FromSeconds(2.5)), "something arrived after the first request");
        Assert.Equal("OK", (string?)(await client.RequestAsync("detailsView"))["status"]);
    }

    [Theory]
    [InlineData("nothing at all", "")]
    [InlineData("half a request head", "GET /primus?_primuscb=x HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n")]
    public async Task Silent_or_half_open_handshake_on_the_web_port_is_closed(string name, string sent)
    {
        await NoConnectionsAsync();
        var started = Stopwatch.StartNew();
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", _node.WebPort);
        var stream = socket.GetStream();
        if (sent.Length > 0) await stream.WriteAsync(Encoding.ASCII.GetBytes(sent));
        var response = await ReadToEndAsync(stream);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"{name}: closed after {started.Elapsed} (timeout 1 s)");
        Assert.True(response.Length == 0, $"{name}: got {response}");
    }

    // Everything until the server closes (EOF or reset); fails after a generous bound.
    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0) received.Write(buffer, 0, n);
        }
        catch (IOException)
        {
            // reset after the answer: what was read counts
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the server did not close the connection within 15 s");
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
