using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatCluster.Bench.Load;
using ChatCluster.Tests.Support;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// Request size limits on a real socket (<c>chatcluster.tcp.max-line-bytes</c> and
/// <c>chatcluster.websocket.max-message-bytes</c>, both 64 KiB here): a request of exactly the limit is served on
/// both transports; past it a TCP line gets ActionHero's "data length is too big" reply and the connection stays
/// usable, a websocket closes with 1009. Then hostile input per transport: TCP garbage, websocket fragmentation
/// and RFC 6455 protocol errors.
/// </summary>
public sealed class LimitsTests : IClassFixture<RequestLimitsFixture>
{
    private const int Max = RequestLimitsFixture.MaxRequestBytes;

    private readonly RequestLimitsFixture _node;

    public LimitsTests(RequestLimitsFixture node) => _node = node;

    public static TheoryData<Transport> Transports => WireClient.Transports;

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_request_of_exactly_the_limit_is_served(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var c = await WireClient.ConnectAsync(_node, transport);
        await c.JoinAsync(room);

        var message = new string('m', Max - c.SizeOfNextVerb("say", room, ""));
        Assert.Equal(Max, c.SizeOfNextVerb("say", room, message));
        await c.SendVerbAsync("say", room, message);
        Assert.Equal(c.Ok(), Mask(await c.NextTextAsync()));
        Assert.Equal(message, (string?)Parse(await c.NextTextAsync())["message"]);
        await c.DetailsAsync();
    }

    // ---------------------------------------------------------------- TCP lines

    private async Task<TcpTestClient> TcpClient() => await (await _node.Tcp()).Welcomed();

    private static bool IsDetails(string line) => line.StartsWith("{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"id\":", StringComparison.Ordinal);

    /// <summary>A detailsView, returning its messageId (the connection's current messageId).</summary>
    private static async Task<string> Details(TcpTestClient c)
    {
        await c.SendLineAsync("detailsView");
        var line = await c.ReadLineAsync();
        Assert.True(IsDetails(line), line);
        return (string)Parse(line)["messageId"]!;
    }

    private static string TooBig(long received, string messageId) =>
        $"{{\"status\":\"error\",\"error\":\"data length is too big ({Max} received/{received} max)\",\"context\":\"response\",\"messageId\":\"{messageId}\"}}";

    private static readonly Regex TooBigPattern = new(
        "^\\{\"status\":\"error\",\"error\":\"data length is too big \\(65536 received/([0-9]+) max\\)\",\"context\":\"response\",\"messageId\":\"([^\"]+)\"\\}$");

    /// <summary>Asserts the too-big reply shape and messageId; returns the length it reports.</summary>
    private static long AssertTooBig(string line, string messageId)
    {
        var match = TooBigPattern.Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(messageId, match.Groups[2].Value);
        return long.Parse(match.Groups[1].Value);
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_and_the_connection_stays_usable()
    {
        await using var c = await TcpClient();
        var lastId = await Details(c);

        await c.SendAsync(Encoding.ASCII.GetBytes(new string('x', 70_000) + "\n"));
        // the exact length is pinned by A_line_over_the_limit_reports_its_full_length (see the bug there)
        Assert.InRange(AssertTooBig(await c.ReadLineAsync(), lastId), Max + 1, 70_000);

        await Details(c);
        Assert.True(await c.IsSilentAsync(), "one error only");
    }

    [Fact]
    public async Task A_line_over_the_limit_reports_its_full_length()
    {
        await using var c = await TcpClient();
        var lastId = await Details(c);

        var line = Encoding.ASCII.GetBytes(new string('x', 70_000) + "\n");
        await c.SendAsync(line[..66_000]);
        await Task.Delay(300); // not synchronization: makes the server read the first part as a chunk of its own
        await c.SendAsync(line[66_000..]);
        Assert.Equal(TooBig(70_000, lastId), await c.ReadLineAsync());
        await Details(c);
    }

    [Fact]
    public async Task A_line_one_byte_over_the_limit_is_refused()
    {
        await using var c = await TcpClient();
        var lastId = await Details(c);
        await c.SendAsync(Encoding.ASCII.GetBytes(new string('y', Max + 1) + "\n"));
        Assert.Equal(TooBig(Max + 1, lastId), await c.ReadLineAsync());
        await Details(c);
    }

    [Fact]
    public async Task The_limit_counts_utf8_bytes_not_characters()
    {
        await using var c = await TcpClient();
        var lastId = await Details(c);
        // 40,000 characters, 80,000 bytes
        var line = new string('\u00e9', 40_000);
        await c.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
        Assert.InRange(AssertTooBig(await c.ReadLineAsync(), lastId), Max + 1, 80_000);
        await Details(c);
    }

    [Fact]
    public async Task Unterminated_input_over_the_limit_is_refused_once_then_lines_work_after_a_newline()
    {
        await using var c = await TcpClient();
        var lastId = await Details(c);

        var chunk = Encoding.ASCII.GetBytes(new string('z', 50_000));
        for (var i = 0; i < 5; i++) await c.SendAsync(chunk); // 250,000 bytes, no newline
        await c.SendAsync(Encoding.ASCII.GetBytes("tail-of-the-long-line\ndetailsView\n"));

        // one error for the whole oversized line (whenever the server sends it), then the next line is served
        Assert.InRange(AssertTooBig(await c.ReadLineAsync(), lastId), Max + 1, 250_100);
        var next = await c.ReadLineAsync();
        Assert.True(IsDetails(next), "the rest of the long line is dropped and the next line is served, got: " + next);
        Assert.True(await c.IsSilentAsync());
    }

    [Fact]
    public async Task Binary_garbage_never_kills_the_connection()
    {
        await using var c = await TcpClient();
        var random = new Random(20240601);
        var garbage = new byte[256 * 1024];
        random.NextBytes(garbage);
        // break it into lines of up to ~200 bytes; keep a long run without newline as well
        for (var i = random.Next(200); i < garbage.Length - 100_000; i += 1 + random.Next(200)) garbage[i] = (byte)'\n';
        for (var i = 0; i < 1024; i += 64) await c.SendAsync(garbage[(i * 256)..((i + 64) * 256)]);
        await c.SendAsync(Encoding.ASCII.GetBytes("\ndetailsView\n"));

        // every garbage line is answered (unknown action or a too-long error); the detailsView reply comes last
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        string line;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "detailsView was not answered after the garbage");
            line = await c.ReadLineAsync();
        }
        while (!IsDetails(line));
        await Details(c);
    }

    [Fact]
    public async Task Garbage_does_not_disturb_other_connections()
    {
        var room = await _node.NewRoomAsync();
        await using var bystander = await TcpClient();
        await bystander.SendLineAsync($"roomAdd {room}");
        Assert.Equal("OK", (string?)Parse(await bystander.ReadLineAsync())["status"]);

        await using (var attacker = await TcpClient())
        {
            var junk = new byte[100_000];
            new Random(7).NextBytes(junk);
            await attacker.SendAsync(junk);
        }

        await bystander.SendLineAsync($"say {room} still here");
        var (reply, chat) = await bystander.ReadReplyAndChatAsync();
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(reply));
        Assert.Equal("still here", (string?)Parse(chat)["message"]);
    }

    // ---------------------------------------------------------------- websocket messages and frames

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

    // A masked FIN-or-not frame with a fixed key, as written by hand: any first byte (reserved bits, opcodes).
    private static byte[] Masked(int firstByte, string text) => Masked(firstByte, Encoding.UTF8.GetBytes(text));

    private static byte[] Masked(int firstByte, byte[] payload) => ClientFrames.Frame((byte)firstByte, payload, mask: [0x11, 0x22, 0x33, 0x44]);
}
