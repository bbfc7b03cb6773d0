using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>A node of its own with the gated test action registered, and an admin (destroying rooms needs one).</summary>
public sealed class ActionNodeFixture : NodeFixture
{
    public const string AdminToken = "root-token";

    public GatedAction Gated { get; } = new();

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.auth.tokens {{ root = \"{AdminToken}\" }}",
        "chatcluster.auth.admins = [root]",
    };
}

/// <summary>
/// Actions over the websocket <c>action</c> event (spec 6.2, findings 4) and TCP JSON / plain lines (spec 5,
/// findings 9.2): the built-in room actions, status, error texts, the pending-action limit.
/// </summary>
public sealed class ActionWireTests : IClassFixture<ActionNodeFixture>
{
    private readonly ActionNodeFixture _node;

    public ActionWireTests(ActionNodeFixture node)
    {
        _node = node;
        _node.Node.Actions.Add(_node.Gated);
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Quote(string s) => JsonValue.Create(s).ToJsonString();

    private static async Task<string> WsRequestTextAsync(WebSocketTestClient ws, string frame)
    {
        await ws.SendTextAsync(frame);
        return await ws.ReadTextAsync();
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task CreateChatRoom_should_answer_didCreate_true_then_false(Transport transport)
    {
        var name = Unique("x");
        await using var c = await WireClient.ConnectAsync(_node, transport);
        await c.ExpectActionReplyAsync($"\"name\":{Quote(name)},\"didCreate\":true", "createChatRoom", new JsonObject { ["name"] = name });
        Assert.True(await _node.Node.Api.ExistsAsync(name));
        await c.ExpectActionReplyAsync($"\"name\":{Quote(name)},\"didCreate\":false", "createChatRoom", new JsonObject { ["name"] = name });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Action_errors_should_be_bare_messages(Transport transport)
    {
        await using var c = await WireClient.ConnectAsync(_node, transport);
        await c.ExpectActionReplyAsync("\"error\":\"name is a required parameter for this action\"", "createChatRoom");
        await c.ExpectActionReplyAsync("\"error\":\"name is a required parameter for this action\"", "createChatRoom", new JsonObject { ["name"] = "" });
        await c.ExpectActionReplyAsync("\"error\":\"unknown action or invalid apiVersion\"", "nope");
    }

    [Fact]
    public async Task Websocket_action_events_without_an_action_in_params_should_be_unknown_actions()
    {
        await using var ws = await (await _node.Ws()).Welcomed();

        Assert.Equal("{\"error\":\"unknown action or invalid apiVersion\",\"context\":\"response\",\"messageId\":11}",
            await WsRequestTextAsync(ws, "{\"event\":\"action\",\"messageId\":11}"));
        // params must be nested: a top-level action name is no action [findings 4]
        Assert.Equal("{\"error\":\"unknown action or invalid apiVersion\",\"context\":\"response\",\"messageId\":15}",
            await WsRequestTextAsync(ws, "{\"event\":\"action\",\"action\":\"createChatRoom\",\"name\":\"toplevel\",\"messageId\":15}"));
        Assert.False(await _node.Node.Api.ExistsAsync("toplevel"));
    }

    [Fact]
    public async Task Tcp_plain_action_word_should_use_sticky_params_from_paramAdd()
    {
        var name = Unique("tcpplain");
        await using var tcp = await (await _node.Tcp()).Welcomed();

        Assert.Equal("OK", (string?)(await tcp.RequestAsync($"paramAdd name={name}"))["status"]);
        var view = await tcp.RequestAsync("paramView name");
        Assert.Equal(name, (string?)view["data"]); // paramAdd accepts an action's input name

        var created = await tcp.RequestAsync("createChatRoom");
        Assert.Equal(name, (string?)created["name"]);
        Assert.True((bool)created["didCreate"]!);
        Assert.Equal("response", (string?)created["context"]);
        Assert.True(await _node.Node.Api.ExistsAsync(name));

        var again = await tcp.RequestAsync("createChatRoom");
        Assert.Equal(name, (string?)again["name"]);
        Assert.False((bool)again["didCreate"]!);
    }

    [Fact]
    public async Task Tcp_paramAdd_should_ignore_names_no_action_takes()
    {
        await using var tcp = await (await _node.Tcp()).Welcomed();
        Assert.Equal("OK", (string?)(await tcp.RequestAsync("paramAdd foo=bar"))["status"]);
        Assert.Equal("OK", (string?)(await tcp.RequestAsync("paramAdd token=t1"))["status"]); // authenticate's input
        var all = await tcp.RequestAsync("paramsView");
        var data = all["data"]!.AsObject();
        Assert.False(data.ContainsKey("foo"), all.ToJsonString());
        Assert.Equal("t1", (string?)data["token"]);
    }

    [Fact]
    public async Task Tcp_unknown_words_and_json_lines_without_params_should_be_unknown_actions()
    {
        await using var tcp = await (await _node.Tcp()).Welcomed();

        var unknown = await tcp.RequestAsync("nosuchaction");
        Assert.Equal(ChatErrors.UnknownAction, (string?)unknown["error"]);
        Assert.Equal("response", (string?)unknown["context"]);
        Assert.False(unknown.ContainsKey("status"), unknown.ToJsonString());
        Assert.False(string.IsNullOrEmpty((string?)unknown["messageId"]));

        var unknownJson = await tcp.RequestAsync("{\"action\":\"nope\"}"); // no params at all
        Assert.Equal(ChatErrors.UnknownAction, (string?)unknownJson["error"]);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task ChatRooms_should_list_rooms_with_their_member_counts(Transport transport)
    {
        var room = await _node.NewRoomAsync("listed");
        var empty = await _node.NewRoomAsync("emptylisted");
        await using var caller = await WireClient.ConnectAsync(_node, transport);
        await using var tcp = await WireClient.ConnectAsync(_node, Transport.Tcp);
        await using var ws = await WireClient.ConnectAsync(_node, Transport.Ws);
        await tcp.JoinAsync(room);
        await ws.JoinAsync(room);

        var reply = await caller.ActionAsync("chatRooms");
        Assert.Equal("response", (string?)reply["context"]);
        Assert.False(reply.ContainsKey("error"), reply.ToJsonString());
        var rooms = reply["rooms"]!.AsArray().Select(r => r!.AsObject()).ToDictionary(r => (string)r["name"]!, r => (int)r["membersCount"]!);
        Assert.Equal(2, rooms[room]);
        Assert.Equal(0, rooms[empty]);
        Assert.Contains("defaultRoom", rooms.Keys);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Status_should_answer_an_object_with_id_and_uptime(Transport transport)
    {
        await using var client = await WireClient.ConnectAsync(_node, transport);
        var reply = await client.ActionAsync("status");
        Assert.Equal("response", (string?)reply["context"]);
        Assert.False(reply.ContainsKey("error"), reply.ToJsonString());
        Assert.False(string.IsNullOrEmpty((string?)reply["id"]), reply.ToJsonString());
        Assert.True(reply["uptime"] is JsonValue u && u.GetValue<long>() >= 0, reply.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task DestroyChatRoom_should_tell_and_remove_the_members(Transport transport)
    {
        var room = await _node.NewRoomAsync("doomed");
        await using var caller = await WireClient.ConnectAsync(_node, transport);
        await using var tcp = await WireClient.ConnectAsync(_node, Transport.Tcp);
        await using var ws = await WireClient.ConnectAsync(_node, Transport.Ws);
        await tcp.JoinAsync(room);
        await ws.JoinAsync(room);
        Assert.Equal(true, (bool?)(await caller.ActionAsync("authenticate", new JsonObject { ["token"] = ActionNodeFixture.AdminToken }))["authenticated"]);

        var reply = await caller.ActionAsync("destroyChatRoom", new JsonObject { ["name"] = room });
        Assert.False(reply.ContainsKey("error"), reply.ToJsonString());
        Assert.Equal(room, (string?)reply["name"]);
        Assert.Equal("response", (string?)reply["context"]);

        foreach (var member in new[] { tcp, ws })
        {
            var notice = await member.NextChatAsync();
            Assert.Equal(ChatErrors.RoomHasBeenDeleted, (string?)notice["message"]);
            Assert.Equal(room, (string?)notice["room"]);
            Assert.Equal("user", (string?)notice["context"]);
        }
        foreach (var member in new[] { tcp, ws })
        {
            var deadline = DateTime.UtcNow + Timeouts.Expect;
            while ((await member.RoomsAsync()).Length > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{member.Transport} member still lists the destroyed room");
                await Task.Delay(20);
            }
            member.AssertVerbError(await member.RoomViewAsync(room), ChatErrors.NotInRoom(room));
            member.AssertVerbError(await member.RoomAddAsync(room), ChatErrors.RoomNotExist);
        }
        Assert.False(await _node.Node.Api.ExistsAsync(room));

        var again = await caller.ActionAsync("destroyChatRoom", new JsonObject { ["name"] = room });
        Assert.Equal(ChatErrors.RoomNotExist, (string?)again["error"]);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_sixth_simultaneous_action_should_be_refused_first_and_the_five_others_complete(Transport transport)
    {
        _node.Gated.Close();
        try
        {
            await using var c = await WireClient.ConnectAsync(_node, transport);
            for (var i = 1; i <= 6; i++) await c.SendActionAsync(GatedAction.ActionName, new JsonObject { ["n"] = i });

            // the refusal answers the sixth call (its messageId; the five others answer with their n below)
            Assert.Equal(WireDialect.ActionReply("\"error\":\"you have too many pending requests\"", c.LastMessageId), WireText.Mask(await c.NextTextAsync()));
            await Eventually.TrueAsync(() => _node.Gated.Started == 5, "five gated runs to start");
            Assert.True(await c.IsSilentAsync(), "a gated action answered before its gate opened");
            Assert.Equal(5, (int)(await c.DetailsAsync())["pendingActions"]!);

            _node.Gated.Open();
            var done = new List<JsonObject>();
            for (var i = 0; i < 5; i++) done.Add(WireText.Parse(await c.NextTextAsync()));
            Assert.All(done, d =>
            {
                Assert.False(d.ContainsKey("error"), d.ToJsonString());
                Assert.True((bool)d["gated"]!);
                // v29 echoes each frame's messageId (the n-th call's is n); v20 gives each reply a fresh uuid
                if (transport == Transport.Ws) Assert.Equal((int)d["n"]!, (int)d["messageId"]!);
                else Assert.True(WireText.IsUuidV4((string?)d["messageId"]), d.ToJsonString());
            });
            Assert.Equal(new[] { 1, 2, 3, 4, 5 }, done.Select(d => (int)d["n"]!).Order().ToArray());
            Assert.Equal(5, done.Select(d => d["messageId"]!.ToJsonString()).Distinct().Count());
            Assert.True(await c.IsSilentAsync(), "more than one refusal or answer");

            // the counter came back down: a new action runs
            var after = await c.ActionAsync("status");
            Assert.False(after.ContainsKey("error"), after.ToJsonString());
            Assert.Equal(0, (int)(await c.DetailsAsync())["pendingActions"]!);
        }
        finally
        {
            _node.Gated.Open();
        }
    }
}
