using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Guard;

/// <summary>A node of its own for the malformed-input tests (default limits).</summary>
public sealed class MalformedInputNodeFixture : NodeFixture
{
}

/// <summary>
/// Bad input from issue 12 (items 5 and 6) over real sockets: each gets a clear answer and, where the protocol allows,
/// leaves the connection usable. The same inputs are regression cases of the codec fuzzer (CodecFuzzTests).
/// </summary>
public sealed class MalformedInputTests : IClassFixture<MalformedInputNodeFixture>
{
    private const string LoneSurrogate = "\\ud800"; // the six characters of the JSON escape

    private readonly MalformedInputNodeFixture _node;

    public MalformedInputTests(MalformedInputNodeFixture node) => _node = node;

    [Fact]
    public async Task A_lone_surrogate_over_websocket_should_get_a_clear_error_and_keep_the_connection()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        await ws.SendTextAsync("{\"event\":\"roomAdd\",\"room\":\"" + LoneSurrogate + "\",\"messageId\":1}");
        var reply = await ws.ReadJsonAsync();
        Assert.Equal("Error: " + ChatErrors.JsonLoneSurrogate, (string?)reply["error"]);
        Assert.Equal("response", (string?)reply["context"]);
        Assert.DoesNotContain("   at ", reply.ToJsonString(), StringComparison.Ordinal);

        var details = await ws.RequestAsync(new { @event = "detailsView", messageId = "after" });
        Assert.Equal("OK", (string?)details["status"]);
    }

    [Fact]
    public async Task A_lone_surrogate_over_tcp_should_get_a_clear_error_and_keep_the_connection()
    {
        await using var tcp = await (await _node.Tcp()).Welcomed();
        var reply = await tcp.RequestAsync("{\"action\":\"createChatRoom\",\"params\":{\"name\":\"" + LoneSurrogate + "\"}}");
        Assert.Equal(ChatErrors.JsonLoneSurrogate, (string?)reply["error"]);
        Assert.Equal("response", (string?)reply["context"]);
        Assert.DoesNotContain("   at ", reply.ToJsonString(), StringComparison.Ordinal);

        var details = await tcp.RequestAsync("detailsView");
        Assert.Equal("OK", (string?)details["status"]);
    }

    [Fact]
    public async Task A_lone_surrogate_in_an_http_json_body_should_be_400_with_a_clear_error()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_node.WebPort}"), Timeout = Timeouts.Expect };
        using var content = new StringContent("{\"name\":\"" + LoneSurrogate + "\"}", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/createChatRoom", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(new JsonObject { ["error"] = ChatErrors.JsonLoneSurrogate }.ToJsonString(), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("code_1005_may_not_be_sent", new byte[] { 0x03, 0xED })]
    [InlineData("code_999_is_no_code", new byte[] { 0x03, 0xE7 })]
    [InlineData("code_2999_is_unassigned", new byte[] { 0x0B, 0xB7 })]
    [InlineData("one_byte_body", new byte[] { 0x03 })]
    [InlineData("reason_not_utf8", new byte[] { 0x03, 0xE8, 0xFF })]
    public async Task An_invalid_close_frame_should_be_answered_with_1002(string name, byte[] body)
    {
        await using var ws = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await ws.ReadFrameAsync(); // welcome
        await ws.SendFrameAsync(RawFrame.Close, body);
        var (_, close) = await ws.ReadUntilCloseAsync();
        Assert.True(close is not null, $"{name}: no close frame ({ws.EndReason})");
        Assert.True(close!.CloseCode == WebSocketCloseCodes.ProtocolError, $"{name}: closed with {close.CloseCode?.ToString() ?? "an empty close frame"}");
    }

    [Fact]
    public async Task A_valid_close_code_should_still_be_echoed()
    {
        await using var ws = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await ws.ReadFrameAsync();
        await ws.SendFrameAsync(RawFrame.Close, new byte[] { 0x0F, 0xA0 }); // 4000
        var (_, close) = await ws.ReadUntilCloseAsync();
        Assert.Equal((ushort)4000, close!.CloseCode);
    }

    [Fact]
    public async Task A_large_binary_message_should_get_a_short_error_not_an_echo()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var size = 256 * 1024;
        await ws.SendAsync(new byte[size], WebSocketMessageType.Binary);
        var reply = await ws.ReadTextAsync();
        Assert.True(reply.Length < 300, $"a {size}-byte binary message got a {reply.Length}-character reply");
        Assert.Equal("Error: " + ChatErrors.BinaryMessageRefused(size), (string?)JsonNode.Parse(reply)!["error"]);
        var details = await ws.RequestAsync(new { @event = "detailsView", messageId = "after" });
        Assert.Equal("OK", (string?)details["status"]);
    }

    [Fact]
    public async Task A_message_in_more_fragments_than_allowed_should_close_with_1009()
    {
        await using var ws = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await ws.ReadFrameAsync();
        var max = _node.Node.Settings.Transport.WebSocketMaxFragments;
        await ws.SendFrameAsync(RawFrame.Text, "{"u8.ToArray(), fin: false);
        for (var i = 1; i < max; i++) await ws.SendFrameAsync(RawFrame.Continuation, " "u8.ToArray(), fin: false);
        // max fragments so far: the connection is still fine; one more is one too many.
        await ws.SendFrameAsync(RawFrame.Continuation, " "u8.ToArray(), fin: false);
        var (before, close) = await ws.ReadUntilCloseAsync();
        Assert.Empty(before);
        Assert.Equal(WebSocketCloseCodes.MessageTooBig, close!.CloseCode);
    }

    [Fact]
    public async Task A_message_in_exactly_the_allowed_fragments_should_be_answered()
    {
        await using var ws = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await ws.ReadFrameAsync();
        var max = _node.Node.Settings.Transport.WebSocketMaxFragments;
        var text = "{\"event\":\"detailsView\",\"messageId\":7}".PadRight(max, ' ');
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < max; i++)
            await ws.SendFrameAsync(i == 0 ? RawFrame.Text : RawFrame.Continuation, bytes[i..(i + 1)], fin: i == max - 1);
        var reply = JsonNode.Parse((await ws.ReadFrameAsync()).AsText)!;
        Assert.Equal("OK", (string?)reply["status"]);
    }

    [Theory]
    [InlineData("chunk_size_overflows", "POST /api/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n")]
    [InlineData("chunk_size_not_hex", "POST /api/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    public async Task Malformed_http_bodies_should_be_400(string name, string request)
    {
        var head = await RawHttpAsync(Encoding.ASCII.GetBytes(request));
        Assert.True(head.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), $"{name}: {head}");
    }

    [Fact]
    public async Task More_than_1024_form_fields_should_be_400()
    {
        var body = string.Join("&", Enumerable.Range(0, 1100).Select(i => $"f{i}=1"));
        var request = "POST /api/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
                      $"Content-Length: {body.Length}\r\n\r\n{body}";
        var head = await RawHttpAsync(Encoding.ASCII.GetBytes(request));
        Assert.True(head.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), head);
        Assert.Contains(ChatErrors.MalformedHttpRequest, head, StringComparison.Ordinal);
    }

    private async Task<string> RawHttpAsync(byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _node.WebPort);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var buffer = new byte[8192];
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(Timeouts.Expect);
        try
        {
            while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) || !text.ToString().Contains('}'))
            {
                var n = await stream.ReadAsync(buffer, timeout.Token);
                if (n == 0) break;
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (IOException)
        {
            // the server may close at once after its answer
        }
        return text.ToString();
    }
}
