using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Bench.Load;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// The two ways a websocket opens on the web port: an upgrade as a connection's first request is answered by the
/// connection middleware on the socket's own pipes; any other (after HTTP requests on a keep-alive connection) goes
/// through Kestrel's HTTP upgrade. Both must behave the same on the wire.
/// </summary>
public sealed class WebSocketUpgradePathTests : IClassFixture<NodeFixture>
{
    private readonly NodeFixture _node;

    public WebSocketUpgradePathTests(NodeFixture node) => _node = node;

    private static async Task<JsonNode> DetailsAsync(RawWebSocketClient raw)
    {
        await raw.SendTextAsync("{\"event\":\"detailsView\",\"messageId\":\"d\"}");
        while (true)
        {
            var frame = await raw.ReadFrameAsync();
            Assert.Equal(RawFrame.Text, frame.Opcode);
            var json = JsonNode.Parse(frame.AsText)!;
            if ((string?)json["messageId"] == "d") return json;
        }
    }

    [Fact]
    public async Task A_first_request_upgrade_should_get_the_ws_library_101_then_the_welcome()
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", _node.WebPort);
        var stream = client.GetStream();
        await stream.WriteAsync(ClientFrames.UpgradeRequest($"127.0.0.1:{_node.WebPort}", "/primus?_primuscb=x", "dGhlIHNhbXBsZSBub25jZQ=="));
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Timeouts.Expect);
        const string expectedHead = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        const string welcome = "{\"welcome\":\"Welcome to the actionhero api\",\"context\":\"api\"}";
        var total = expectedHead.Length + 2 + welcome.Length; // the welcome is one unmasked text frame
        while (received.Count < total)
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(n > 0, "the server closed the connection");
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        var bytes = received.ToArray();
        Assert.Equal(expectedHead, Encoding.ASCII.GetString(bytes, 0, expectedHead.Length)); // as ActionHero's ws library words it
        Assert.Equal(0x81, bytes[expectedHead.Length]);
        Assert.Equal(welcome.Length, bytes[expectedHead.Length + 1]);
        Assert.Equal(welcome, Encoding.UTF8.GetString(bytes, expectedHead.Length + 2, welcome.Length));
    }

    [Fact]
    public async Task An_upgrade_after_http_requests_on_the_same_connection_should_work_as_well()
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort, "/primus?_primuscb=keepalive&sessionID=fp-keepalive", httpFirst: "/primus/spec");
        Assert.Contains("welcome", (await raw.ReadFrameAsync()).AsText, StringComparison.Ordinal);
        var details = await DetailsAsync(raw);
        Assert.Equal("OK", (string?)details["status"]);
        Assert.Equal("fp-keepalive", (string?)details["data"]!["fingerprint"]);
    }

    [Fact]
    public async Task An_upgrade_request_arriving_in_pieces_should_be_answered_once_complete()
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort, "/primus?_primuscb=slow&sessionID=fp-slow", chunks: 7);
        Assert.Contains("welcome", (await raw.ReadFrameAsync()).AsText, StringComparison.Ordinal);
        var details = await DetailsAsync(raw);
        Assert.Equal("fp-slow", (string?)details["data"]!["fingerprint"]);
    }

    [Fact]
    public async Task Plain_http_on_the_web_port_should_still_reach_the_actions_and_the_spec()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_node.WebPort}"), Timeout = Timeouts.Expect };
        using var spec = await http.GetAsync("/primus/spec");
        Assert.Equal(System.Net.HttpStatusCode.OK, spec.StatusCode);
        using var status = await http.GetAsync("/api/status");
        Assert.Equal(System.Net.HttpStatusCode.OK, status.StatusCode);
    }
}
