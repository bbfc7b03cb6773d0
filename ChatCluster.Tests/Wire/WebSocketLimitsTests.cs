using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// Message size limit (<c>chatcluster.websocket.max-message-bytes</c>, here 64 KiB), fragmentation and
/// RFC 6455 protocol errors on a real socket.
/// </summary>
public sealed class WebSocketLimitsTests : IClassFixture<SmallMessageLimitFixture>
{
    private const int Max = SmallMessageLimitFixture.MaxMessageBytes;


    private readonly SmallMessageLimitFixture _node;

    public WebSocketLimitsTests(SmallMessageLimitFixture node) => _node = node;

    /// <summary>A say frame of exactly <paramref name="totalBytes"/> UTF-8 bytes; returns it and its message text.</summary>
    private static (string Frame, string Message) SayOfSize(string room, int totalBytes)
    {
        var empty = $"{{\"event\":\"say\",\"room\":\"{room}\",\"message\":\"\",\"messageId\":\"big\"}}";
        var message = new string('x', totalBytes - Encoding.UTF8.GetByteCount(empty));
        var frame = $"{{\"event\":\"say\",\"room\":\"{room}\",\"message\":\"{message}\",\"messageId\":\"big\"}}";
        Assert.Equal(totalBytes, Encoding.UTF8.GetByteCount(frame));
        return (frame, message);
    }

    [Fact]
    public async Task A_message_of_exactly_the_limit_should_be_handled()
    {
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room, messageId = 1 }))["status"]);

        var (frame, message) = SayOfSize(room, Max);
        await ws.SendTextAsync(frame);
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"big\"}", await ws.ReadTextAsync());
        var chat = await ws.ReadJsonAsync();
        Assert.Equal(message, (string?)chat["message"]);
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "detailsView", messageId = 2 }))["status"]);
    }

    [Fact]
    public async Task A_message_one_byte_over_the_limit_should_close_the_socket_with_1009()
    {
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room, messageId = 1 }))["status"]);

        await ws.SendTextAsync(SayOfSize(room, Max + 1).Frame);
        Assert.Empty(await ws.ReadToCloseAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
    }

    [Fact]
    public async Task An_oversized_frame_should_be_refused_from_its_header_with_1009()
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await raw.ReadFrameAsync(); // welcome
        // Only the header of a 10 MiB frame is sent: the server must not wait for the payload.
        var header = new byte[] { 0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0xA0, 0, 0, 1, 2, 3, 4 };
        await raw.SendRawAsync(header);
        var (before, close) = await raw.ReadUntilCloseAsync();
        Assert.Empty(before);
        Assert.True(close is not null, "no close frame: " + raw.EndReason);
        Assert.Equal((ushort)1009, close.CloseCode);
    }

    [Fact]
    public async Task A_fragmented_message_should_be_reassembled()
    {
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room, messageId = 1 }))["status"]);

        var bytes = Encoding.UTF8.GetBytes($"{{\"event\":\"say\",\"room\":\"{room}\",\"message\":\"in ☃ pieces\",\"messageId\":\"frag\"}}");
        var snowman = Array.IndexOf(bytes, (byte)0xE2);
        var cuts = new[] { 0, 5, snowman + 1, snowman + 2, bytes.Length - 1, bytes.Length }; // the snowman straddles fragments
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        for (var i = 0; i + 1 < cuts.Length; i++)
            await ws.Socket.SendAsync(bytes.AsMemory(cuts[i], cuts[i + 1] - cuts[i]), WebSocketMessageType.Text, i + 2 == cuts.Length, cts.Token);

        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"frag\"}", await ws.ReadTextAsync());
        Assert.Equal("in ☃ pieces", (string?)(await ws.ReadJsonAsync())["message"]);
    }

    [Fact]
    public async Task A_control_frame_between_fragments_should_be_answered_and_the_message_still_reassembled()
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await raw.ReadFrameAsync(); // welcome
        await raw.SendFrameAsync(RawFrame.Text, Encoding.UTF8.GetBytes("{\"event\":\"detailsView\","), fin: false);
        await raw.SendFrameAsync(RawFrame.Ping, Encoding.UTF8.GetBytes("mid"));
        await raw.SendFrameAsync(RawFrame.Continuation, Encoding.UTF8.GetBytes("\"messageId\":\"frag\"}"));

        var pong = await raw.ReadFrameAsync();
        Assert.Equal(RawFrame.Pong, pong.Opcode);
        Assert.Equal("mid", pong.AsText);
        var reply = await raw.ReadFrameAsync();
        Assert.Equal("frag", (string?)JsonNode.Parse(reply.AsText)!["messageId"]);
    }

    [Fact]
    public async Task Fragments_adding_up_to_more_than_the_limit_should_close_with_1009()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var piece = Encoding.UTF8.GetBytes(new string(' ', Max / 4));
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        try
        {
            for (var i = 0; i < 5; i++) await ws.Socket.SendAsync(piece, WebSocketMessageType.Text, false, cts.Token);
            await ws.Socket.SendAsync(Encoding.UTF8.GetBytes("{}"), WebSocketMessageType.Text, true, cts.Token);
        }
        catch (WebSocketException)
        {
            // the server may already have closed
        }
        Assert.Empty(await ws.ReadToCloseAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
    }

    public static TheoryData<string, byte[], ushort> ProtocolErrors => new()
    {
        // name, the frame bytes as sent (after the welcome), expected close code
        { "unmasked text frame", new byte[] { 0x81, 0x02, (byte)'{', (byte)'}' }, 1002 },
        { "RSV1 set", Masked(0x80 | 0x40 | 0x1, "{}"), 1002 },
        { "RSV3 set", Masked(0x80 | 0x10 | 0x1, "{}"), 1002 },
        { "unknown opcode 3", Masked(0x80 | 0x3, "{}"), 1002 },
        { "continuation without a start", Masked(0x80 | 0x0, "{}"), 1002 },
        { "fragmented ping", Masked(0x09, "x"), 1002 },
        { "text frame inside an open message", [.. Masked(0x01, "{"), .. Masked(0x81, "}")], 1002 },
        { "invalid UTF-8 text", Masked(0x81, [0xC3, 0x28]), 1007 },
    };

    [Theory]
    [MemberData(nameof(ProtocolErrors))]
    public async Task A_protocol_violation_should_close_with_its_status_code(string name, byte[] frames, ushort code)
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await raw.ReadFrameAsync(); // welcome
        await raw.SendRawAsync(frames);
        var (before, close) = await raw.ReadUntilCloseAsync();
        Assert.True(before.Count == 0, name + ": unexpected frames " + string.Join(" | ", before));
        Assert.True(close is not null, name + ": no close frame: " + raw.EndReason);
        Assert.Equal(code, close.CloseCode);
        Assert.True(await raw.ServerEndsConnectionAsync(), name + ": the TCP connection stayed open");
    }

    private static byte[] Masked(int firstByte, string text) => Masked(firstByte, Encoding.UTF8.GetBytes(text));

    private static byte[] Masked(int firstByte, byte[] payload)
    {
        var key = new byte[] { 0x11, 0x22, 0x33, 0x44 };
        var frame = new List<byte> { (byte)firstByte, (byte)(0x80 | payload.Length) };
        frame.AddRange(key);
        for (var i = 0; i < payload.Length; i++) frame.Add((byte)(payload[i] ^ key[i & 3]));
        return frame.ToArray();
    }
}
