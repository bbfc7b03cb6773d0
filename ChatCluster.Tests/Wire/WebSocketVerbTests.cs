using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// What only the websocket dialect has, over a real socket, compared with ActionHero 29.3.5's captured frames (spec 6.2
/// and Appendix, probe findings 1, 2 and 7): messageId echo by JSON type, positional and coerced values, the leftovers
/// echoed as data, unknown events. Exact text, key order included, with ids and timestamps masked. The verbs both
/// transports share are in <see cref="VerbParityTests"/>.
/// </summary>
public sealed class WebSocketVerbTests : IClassFixture<NodeFixture>
{
    private const string Details = "{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"id\":\"<cid>\",\"fingerprint\":\"<cid>\",\"remoteIP\":\"127.0.0.1\",\"remotePort\":<n>,\"params\":{},\"connectedAt\":<n>,\"rooms\":[],\"totalActions\":0,\"pendingActions\":0},\"messageId\":";

    private readonly NodeFixture _node;

    public WebSocketVerbTests(NodeFixture node) => _node = node;

    private async Task<(WebSocketTestClient Ws, string Id)> ConnectAsync(string query = "")
    {
        var ws = await (await _node.Ws(query)).Welcomed();
        var details = await ws.RequestAsync(new { @event = "detailsView", messageId = "who" });
        return (ws, (string)details["data"]!["id"]!);
    }

    private static async Task<string> RequestTextAsync(WebSocketTestClient ws, string frame)
    {
        await ws.SendTextAsync(frame);
        return await ws.ReadTextAsync();
    }

    [Theory]
    [InlineData("\"abc\"", "\"abc\"")]
    [InlineData("7", "7")]
    [InlineData("1.5", "1.5")]
    [InlineData("{\"x\":1}", "{\"x\":1}")]
    public async Task DetailsView_should_echo_a_truthy_messageId_with_its_json_type(string sent, string echoed)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var text = await RequestTextAsync(ws, "{\"event\":\"detailsView\",\"messageId\":" + sent + "}");
        var id = (string)JsonNode.Parse(text)!["data"]!["id"]!;
        WireText.Equal(Details + echoed + "}", text, id);
    }

    [Theory]
    [InlineData("{\"event\":\"detailsView\"}")]
    [InlineData("{\"event\":\"detailsView\",\"messageId\":0}")]
    [InlineData("{\"event\":\"detailsView\",\"messageId\":null}")]
    [InlineData("{\"event\":\"detailsView\",\"messageId\":false}")]
    [InlineData("{\"event\":\"detailsView\",\"messageId\":\"\"}")]
    public async Task A_missing_or_falsy_messageId_should_become_a_fresh_uuid_string(string frame)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var first = await RequestTextAsync(ws, frame);
        var second = await RequestTextAsync(ws, frame);
        var id = (string)JsonNode.Parse(first)!["data"]!["id"]!;
        WireText.Equal(Details + "\"<uuid>\"}", first, id);

        var firstId = (string?)JsonNode.Parse(first)!["messageId"];
        var secondId = (string?)JsonNode.Parse(second)!["messageId"];
        Assert.True(WireText.IsUuid(firstId), first);
        Assert.True(WireText.IsUuid(secondId), second);
        Assert.NotEqual(id, firstId);
        Assert.NotEqual(firstId, secondId);
    }

    [Fact]
    public async Task DetailsView_should_ignore_extra_keys_and_params()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var text = await RequestTextAsync(ws, "{\"event\":\"detailsView\",\"params\":{\"a\":1},\"messageId\":81,\"extra\":\"x\"}");
        WireText.Equal(Details + "81}", text, (string)JsonNode.Parse(text)!["data"]!["id"]!);
    }

    [Fact]
    public async Task The_sessionID_query_parameter_should_become_the_fingerprint()
    {
        var (ws, id) = await ConnectAsync("&sessionID=dummyValue");
        await using var _ = ws;
        var data = (await ws.RequestAsync(new { @event = "detailsView", messageId = 2 }))["data"]!;
        Assert.Equal("dummyValue", (string?)data["fingerprint"]);
        Assert.Equal(id, (string?)data["id"]);
        Assert.True(WireText.IsUuid(id), id);
    }

    [Theory]
    [InlineData("{\"event\":\"roomAdd\",\"room\":{\"a\":1},\"messageId\":1}")]
    [InlineData("{\"event\":\"roomAdd\",\"room\":true,\"messageId\":1}")]
    public async Task RoomAdd_without_a_usable_room_should_be_room_does_not_exist(string frame)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal(WireText.VerbError("Error: room does not exist", "{}", "1"), await RequestTextAsync(ws, frame));
    }

    [Fact]
    public async Task RoomAdd_when_already_a_member_should_echo_the_extra_keys_as_data()
    {
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":5}}");

        Assert.Equal(WireText.VerbError($"Error: connection already in this room ({room})", "{\"extra\":\"x\",\"n\":1}", "83"),
            await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":83,\"extra\":\"x\",\"n\":1}}"));
    }

    [Fact]
    public async Task RoomAdd_should_take_the_room_positionally_from_any_key()
    {
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":true,\"messageId\":15}",
            await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"messageId\":15,\"x\":\"{room}\"}}"));
        var rooms = (await ws.RequestAsync(new { @event = "detailsView", messageId = 16 }))["data"]!["rooms"]!.AsArray();
        Assert.Equal(room, (string?)Assert.Single(rooms));
    }

    [Theory]
    [InlineData("{\"event\":\"roomLeave\",\"room\":\"\",\"x\":\"defaultRoom\",\"messageId\":2}", "()", "{\"room\":\"\",\"x\":\"defaultRoom\"}")]
    [InlineData("{\"event\":\"roomView\",\"room\":\"\",\"messageId\":2}", "()", "{\"room\":\"\"}")]
    public async Task RoomLeave_and_roomView_outside_the_room_should_be_not_in_this_room(string frame, string named, string data)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal(WireText.VerbError("Error: connection not in this room " + named, data, "2"), await RequestTextAsync(ws, frame));
    }

    [Theory]
    [InlineData("\"message\":{\"x\":1}", "[object Object]")]
    [InlineData("\"message\":0", "0")]
    [InlineData("\"message\":false", "false")]
    [InlineData("\"message\":true", "true")]
    [InlineData("\"message\":1.5", "1.5")]
    [InlineData("\"message\":[1,2,\"a\"]", "1,2,a")]
    [InlineData("\"message\":\"two\",\"extra\":\"three\"", "two three")]
    [InlineData("\"extra\":\"x\",\"message\":\"y\"", "x y")]
    [InlineData("\"message\":\"\",\"extra\":\"x\"", " x")]
    [InlineData("\"message\":\"a\",\"second\":null", "a ")]
    public async Task Say_should_coerce_the_message_words_like_javascript(string messageKeys, string expected)
    {
        var room = await _node.NewRoomAsync();
        var (ws, id) = await ConnectAsync();
        await using var _ = ws;
        await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");

        await ws.SendTextAsync($"{{\"event\":\"say\",\"room\":\"{room}\",{messageKeys},\"messageId\":7}}");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":7}", await ws.ReadTextAsync());
        WireText.Equal($"{{\"message\":{System.Text.Json.JsonSerializer.Serialize(expected)},\"room\":\"{room}\",\"from\":\"<cid>\",\"context\":\"user\",\"sentAt\":<n>}}",
            await ws.ReadTextAsync(), id);
    }

    [Fact]
    public async Task Say_should_send_quotes_and_non_ascii_as_raw_utf8_like_json_stringify()
    {
        var room = await _node.NewRoomAsync();
        var (ws, id) = await ConnectAsync();
        await using var _ = ws;
        await RequestTextAsync(ws, $"{{\"event\":\"say\",\"room\":\"{room}\",\"messageId\":0}}".Replace("say", "roomAdd", StringComparison.Ordinal));

        await ws.SendTextAsync($"{{\"event\":\"say\",\"room\":\"{room}\",\"message\":\"with \\\"quotes\\\" and é ☃ <&>\",\"messageId\":8}}");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":8}", await ws.ReadTextAsync());
        WireText.Equal($"{{\"message\":\"with \\\"quotes\\\" and é ☃ <&>\",\"room\":\"{room}\",\"from\":\"<cid>\",\"context\":\"user\",\"sentAt\":<n>}}",
            await ws.ReadTextAsync(), id);
    }

    [Fact]
    public async Task Say_should_use_the_first_truthy_positional_value_as_the_room_when_room_is_missing()
    {
        var room = await _node.NewRoomAsync();
        var (ws, id) = await ConnectAsync();
        await using var _ = ws;
        await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");

        await ws.SendTextAsync($"{{\"event\":\"say\",\"x\":\"{room}\",\"message\":\"via x no room key\",\"messageId\":2}}");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":2}", await ws.ReadTextAsync());
        WireText.Equal($"{{\"message\":\"via x no room key\",\"room\":\"{room}\",\"from\":\"<cid>\",\"context\":\"user\",\"sentAt\":<n>}}",
            await ws.ReadTextAsync(), id);
    }

    [Theory]
    [InlineData("\"room\":\"ROOM\",\"message\":\"\"", "{\"message\":\"\"}")]
    [InlineData("\"room\":\"ROOM\",\"message\":null", "{\"message\":null}")]
    [InlineData("\"room\":\"ROOM\",\"message\":[]", "{\"message\":[]}")]
    [InlineData("\"room\":\"ROOM\",\"message\":[null]", "{\"message\":[null]}")]
    [InlineData("\"message\":\"hi\"", "{\"message\":\"hi\"}")]
    [InlineData("\"room\":0,\"message\":\"zero room\"", "{\"room\":0,\"message\":\"zero room\"}")]
    [InlineData("\"room\":\"\",\"x\":\"ROOM\",\"message\":\"via x\"", "{\"room\":\"\",\"x\":\"ROOM\",\"message\":\"via x\"}")]
    public async Task Say_without_room_or_message_should_be_both_required_with_the_leftovers_as_data(string keys, string data)
    {
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");

        var reply = await RequestTextAsync(ws, $"{{\"event\":\"say\",{keys.Replace("ROOM", room, StringComparison.Ordinal)},\"messageId\":5}}");
        Assert.Equal(WireText.VerbError("Error: both room and message are required", data.Replace("ROOM", room, StringComparison.Ordinal), "5"), reply);
        Assert.True(await ws.IsSilentAsync(), "a rejected say was broadcast");
    }

    [Fact]
    public async Task Say_with_the_room_in_an_array_should_be_not_in_this_room_even_for_a_member()
    {
        // ActionHero checks membership with the array itself (never a member) and prints it joined [probe 1].
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        await RequestTextAsync(ws, $"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":1}}");

        Assert.Equal(WireText.VerbError($"Error: connection not in this room ({room})", "{\"message\":\"arr room\"}", "5"),
            await RequestTextAsync(ws, $"{{\"event\":\"say\",\"room\":[\"{room}\"],\"message\":\"arr room\",\"messageId\":5}}"));
    }

    [Theory]
    [InlineData("{\"event\":\"bogus\",\"messageId\":8}", "(bogus)", "{}")]
    [InlineData("{\"event\":\"bogus\",\"room\":\"defaultRoom\",\"messageId\":8,\"x\":1}", "(bogus)", "{\"x\":1}")]
    [InlineData("{\"event\":\"bogus\",\"room\":\"\",\"messageId\":8,\"x\":1}", "(bogus)", "{\"room\":\"\",\"x\":1}")]
    [InlineData("{\"messageId\":8}", "(undefined)", "{}")]
    [InlineData("{\"event\":null,\"messageId\":8}", "(null)", "{}")]
    [InlineData("{\"event\":\"\",\"messageId\":8}", "()", "{}")]
    [InlineData("{\"event\":5,\"messageId\":8}", "(5)", "{}")]
    [InlineData("{\"event\":\"paramAdd\",\"key\":\"x\",\"messageId\":8}", "(paramAdd)", "{\"key\":\"x\"}")]
    [InlineData("{\"event\":\"constructor\",\"messageId\":8}", "(constructor)", "{}")]
    [InlineData("{\"event\":\"toString\",\"messageId\":8}", "(toString)", "{}")]
    public async Task An_unknown_event_should_be_verb_not_found_with_the_leftovers_as_data(string frame, string named, string data)
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        Assert.Equal(WireText.VerbError("Error: verb not found or not allowed " + named, data, "8"), await RequestTextAsync(ws, frame));
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "detailsView", messageId = 9 }))["status"]);
    }
}
