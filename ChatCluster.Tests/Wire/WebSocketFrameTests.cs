using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// Odd websocket input (non-object JSON, non-JSON, binary, Primus control strings), the non-verb events
/// (documentation, action, file) and the ways a websocket ends, against ActionHero 29.3.5 (probe findings 2 to 5).
/// </summary>
public sealed class WebSocketFrameTests : IClassFixture<NodeFixture>
{
    private readonly NodeFixture _node;

    public WebSocketFrameTests(NodeFixture node) => _node = node;

    private async Task<(WebSocketTestClient Ws, string Id)> ConnectAsync()
    {
        var ws = await (await _node.Ws()).Welcomed();
        var details = await ws.RequestAsync(new { @event = "detailsView", messageId = "who" });
        return (ws, (string)details["data"]!["id"]!);
    }

    private static async Task<string> RequestTextAsync(WebSocketTestClient ws, string frame)
    {
        await ws.SendTextAsync(frame);
        return await ws.ReadTextAsync();
    }

    private static async Task AssertStillUsableAsync(WebSocketTestClient ws)
    {
        var reply = await ws.RequestAsync(new { @event = "detailsView", messageId = "still-open" });
        Assert.Equal("OK", (string?)reply["status"]);
        Assert.Equal("still-open", (string?)reply["messageId"]);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("\"hello\"")]
    [InlineData("[1,2]")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("null")] // ActionHero crashes the whole process here; we answer like the other values
    [InlineData("\"primus::ping::123\"")]
    [InlineData("\"primus::server::close\"")]
    public async Task A_frame_that_is_no_request_object_should_be_verb_not_found_undefined_with_the_value_as_data(string frame)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var reply = await RequestTextAsync(ws, frame);
        WireText.Equal(WireText.VerbError("Error: verb not found or not allowed (undefined)", frame, "\"<uuid>\""), reply);
        await AssertStillUsableAsync(ws);
    }

    [Theory]
    [InlineData("not json{")]
    [InlineData("{\"event\":\"detailsView\"}{\"event\":\"detailsView\"}")]
    [InlineData("")]
    [InlineData("primus::id::")]
    [InlineData("\"primus::pong::1\"")]
    public async Task A_frame_that_is_not_one_json_value_or_is_an_unsolicited_pong_should_get_no_reply(string frame)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        await ws.SendTextAsync(frame);
        Assert.True(await ws.IsSilentAsync(), "got a reply to " + frame);
        await AssertStillUsableAsync(ws);
    }

    [Fact]
    public async Task Whitespace_around_the_json_should_be_ignored()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var reply = JsonNode.Parse(await RequestTextAsync(ws, "  {\"event\":\"detailsView\",\"messageId\":\"leading-ws\"}  \n"))!;
        Assert.Equal("OK", (string?)reply["status"]);
        Assert.Equal("leading-ws", (string?)reply["messageId"]);
    }

    [Fact]
    public async Task A_binary_frame_should_be_verb_not_found_with_nodes_buffer_json_as_data()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        await ws.SendAsync(new byte[] { 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x7b, 0x22 }, WebSocketMessageType.Binary);
        WireText.Equal(WireText.VerbError("Error: verb not found or not allowed (undefined)",
            "{\"type\":\"Buffer\",\"data\":[222,173,190,239,0,255,123,34]}", "\"<uuid>\""), await ws.ReadTextAsync());
        await AssertStillUsableAsync(ws);
    }

    [Fact]
    public async Task A_binary_frame_holding_json_should_not_be_parsed()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var json = "{\"event\":\"detailsView\",\"messageId\":1}";
        await ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Binary);
        var bytes = string.Join(",", Encoding.UTF8.GetBytes(json).Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        WireText.Equal(WireText.VerbError("Error: verb not found or not allowed (undefined)",
            "{\"type\":\"Buffer\",\"data\":[" + bytes + "]}", "\"<uuid>\""), await ws.ReadTextAsync());
    }

    [Fact]
    public async Task The_primus_id_request_should_be_answered_with_the_connection_id()
    {
        var (ws, id) = await ConnectAsync();
        await using var _ = ws;
        Assert.Equal("\"primus::id::" + id + "\"", await RequestTextAsync(ws, "\"primus::id::\""));
        await AssertStillUsableAsync(ws);
    }

    [Fact]
    public async Task A_frame_with_duplicate_keys_should_use_the_last_value_and_keep_the_socket_open()
    {
        var room = await _node.NewRoomAsync();
        var (ws, id) = await ConnectAsync();
        await using var _ = ws;
        await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");

        await ws.SendTextAsync($"{{\"event\":\"say\",\"room\":\"{room}\",\"message\":\"dup1\",\"message\":\"dup2\",\"messageId\":2}}");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":2}", await ws.ReadTextAsync());
        WireText.Equal($"{{\"message\":\"dup2\",\"room\":\"{room}\",\"from\":\"<cid>\",\"context\":\"user\",\"sentAt\":<n>}}", await ws.ReadTextAsync(), id);
        await AssertStillUsableAsync(ws);
    }

    [Fact]
    public async Task Documentation_should_be_actionheros_type_error()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal(WireText.VerbError("TypeError: Cannot read properties of undefined (reading 'documentation')", "{}", "9"),
            await RequestTextAsync(ws, "{\"event\":\"documentation\",\"messageId\":9}"));
    }

    [Theory]
    [InlineData("{\"event\":\"action\",\"params\":{\"action\":\"nope\"},\"messageId\":10}", "10")]
    [InlineData("{\"event\":\"action\",\"messageId\":11}", "11")]
    [InlineData("{\"event\":\"action\",\"params\":\"str\",\"messageId\":11}", "11")]
    [InlineData("{\"event\":\"action\",\"params\":null,\"messageId\":11}", "11")]
    [InlineData("{\"event\":\"action\",\"params\":{\"action\":\"nope\",\"apiVersion\":99},\"messageId\":11}", "11")]
    [InlineData("{\"event\":\"action\",\"action\":\"nope\",\"name\":\"toplevel\",\"messageId\":\"abc\"}", "\"abc\"")]
    [InlineData("{\"event\":\"action\",\"params\":{\"action\":\"nope\",\"messageId\":\"inparams\"},\"messageId\":133}", "133")]
    public async Task An_unknown_action_should_be_the_bare_action_error(string frame, string messageId)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal("{\"error\":\"unknown action or invalid apiVersion\",\"context\":\"response\",\"messageId\":" + messageId + "}",
            await RequestTextAsync(ws, frame));
        await AssertStillUsableAsync(ws);
    }

    [Fact]
    public async Task An_action_without_messageId_should_get_a_uuid()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        WireText.Equal("{\"error\":\"unknown action or invalid apiVersion\",\"context\":\"response\",\"messageId\":\"<uuid>\"}",
            await RequestTextAsync(ws, "{\"event\":\"action\",\"params\":{\"action\":\"nope\"}}"));
    }

    [Theory]
    [InlineData("\"file\":\"nope.txt\",")]
    [InlineData("")]
    [InlineData("\"file\":\"\",")]
    [InlineData("\"file\":null,")]
    [InlineData("\"file\":false,")]
    [InlineData("\"file\":\"../package.json\",")]
    [InlineData("\"file\":\"/etc/passwd\",")]
    [InlineData("\"file\":{\"a\":1},")] // ActionHero crashes the process on these two; we must answer and stay up
    [InlineData("\"file\":5,")]
    public async Task A_file_request_should_be_that_file_is_not_found(string fileKey)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal("{\"error\":\"that file is not found\",\"content\":null,\"mime\":\"text/html\",\"length\":22,\"context\":\"response\",\"messageId\":14}",
            await RequestTextAsync(ws, "{\"event\":\"file\"," + fileKey + "\"messageId\":14}"));
        await AssertStillUsableAsync(ws);
    }

    [Theory]
    [InlineData("quit")]
    [InlineData("exit")]
    public async Task Quit_and_exit_should_send_only_primus_server_close_then_a_close_frame_with_an_empty_body(string verb)
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await raw.ReadFrameAsync(); // welcome
        await raw.SendTextAsync($"{{\"event\":\"{verb}\",\"messageId\":10}}");

        var (before, close) = await raw.ReadUntilCloseAsync();
        Assert.Equal(new[] { "\"primus::server::close\"" }, before.Select(f => f.AsText));
        Assert.Equal(RawFrame.Text, Assert.Single(before).Opcode);
        Assert.True(close is not null, "no close frame came: " + raw.EndReason);
        Assert.Empty(close.Payload); // no status code: the client reports 1005
        Assert.True(await raw.ServerEndsConnectionAsync(), "the server kept the TCP connection open after quit");
    }

    [Theory]
    [InlineData("quit")]
    [InlineData("exit")]
    public async Task Quit_should_close_a_client_websocket_without_a_status_and_leave_its_rooms(string verb)
    {
        var room = await _node.NewRoomAsync();
        var (ws, id) = await ConnectAsync();
        await using var _ = ws;
        await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");
        Assert.Contains((await _node.Node.Api.StatusAsync(room)).Members, m => m.ConnectionId == id);

        await ws.SendTextAsync($"{{\"event\":\"{verb}\",\"messageId\":10}}");
        Assert.Equal(new[] { "\"primus::server::close\"" }, await ws.ReadToCloseAsync());
        // .NET's ClientWebSocket reports an empty close body (1005 on the wire) as NormalClosure with no description.
        Assert.NotNull(ws.CloseStatus);
        Assert.True(string.IsNullOrEmpty(ws.Socket.CloseStatusDescription));
        await Eventually.TrueAsync(async () => (await _node.Node.Api.StatusAsync(room)).Members.All(m => m.ConnectionId != id),
            $"{id} is still a member of {room} after {verb}");
    }


    [Fact]
    public async Task A_client_close_should_be_answered_with_a_close_frame_echoing_the_code()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await ws.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
        Assert.Equal(WebSocketState.Closed, ws.Socket.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.Socket.CloseStatus);
    }

    [Theory]
    [InlineData(null)]
    [InlineData((ushort)1000)]
    [InlineData((ushort)4000)]
    public async Task A_raw_close_frame_should_be_echoed_and_the_connection_ended(ushort? code)
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        Assert.Equal("{\"welcome\":\"Welcome to the actionhero api\",\"context\":\"api\"}", (await raw.ReadFrameAsync()).AsText);
        var body = code is { } c ? new[] { (byte)(c >> 8), (byte)c } : Array.Empty<byte>();
        await raw.SendFrameAsync(RawFrame.Close, body);

        var (before, close) = await raw.ReadUntilCloseAsync();
        Assert.Empty(before);
        Assert.True(close is not null, "no close frame came back: " + raw.EndReason);
        Assert.Equal(code, close.CloseCode);
        Assert.True(await raw.ServerEndsConnectionAsync(), "the server kept the TCP connection after the close handshake");
    }

    [Fact]
    public async Task A_client_that_closes_while_in_a_room_should_disappear_from_the_room_view()
    {
        var room = await _node.NewRoomAsync();
        var (a, idA) = await ConnectAsync();
        var (b, idB) = await ConnectAsync();
        await using var _b = b;
        await RequestTextAsync(a, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");
        await RequestTextAsync(b, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");
        var view = await b.RequestAsync(new { @event = "roomView", room, messageId = 2 });
        Assert.Equal(2, (int)view["data"]!["membersCount"]!);

        await a.DisposeAsync(); // sends a close frame (without waiting for the answer) and drops the socket

        var n = 3;
        JsonObject last = view;
        await Eventually.TrueAsync(async () =>
        {
            last = await b.RequestAsync(new { @event = "roomView", room, messageId = n++ });
            return last["data"]!["members"]![idA] is null;
        }, $"{idA} is still listed in {room}");
        Assert.Equal(1, (int)last["data"]!["membersCount"]!);
        Assert.Equal(idB, (string?)Assert.Single(last["data"]!["members"]!.AsObject()).Value!["id"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    public async Task A_websocket_ping_should_be_answered_with_a_pong_carrying_the_same_payload(string payload)
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        await raw.ReadFrameAsync(); // welcome
        await raw.SendFrameAsync(RawFrame.Ping, Encoding.UTF8.GetBytes(payload));
        var pong = await raw.ReadFrameAsync();
        Assert.Equal(RawFrame.Pong, pong.Opcode);
        Assert.True(pong.Fin);
        Assert.False(pong.Masked);
        Assert.Equal(payload, pong.AsText);

        // Nothing else was sent for the ping: the next frame is the answer to this request.
        await raw.SendTextAsync("{\"event\":\"detailsView\",\"messageId\":\"after-ping\"}");
        var next = await raw.ReadFrameAsync();
        Assert.Equal(RawFrame.Text, next.Opcode);
        Assert.Equal("after-ping", (string?)JsonNode.Parse(next.AsText)!["messageId"]);
    }
}
