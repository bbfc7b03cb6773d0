using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// The chat verbs both transports share, each behaviour written once over the TCP line protocol (ActionHero 20,
/// spec sections 4 and 5) and the websocket (ActionHero 29, spec 6.2): exact text, key order included, with the
/// dialect's reply shapes from <see cref="WireDialect"/>. What only one transport has stays in
/// <see cref="TcpVerbTests"/> and <see cref="WebSocketVerbTests"/>.
/// </summary>
public sealed class VerbParityTests : IClassFixture<NodeFixture>
{
    private readonly NodeFixture _node;

    public VerbParityTests(NodeFixture node) => _node = node;

    public static TheoryData<Transport> Transports => WireClient.Transports;

    private Task<WireClient> Client(Transport transport) => WireClient.ConnectAsync(_node, transport);

    private static Transport Other(Transport transport) => transport == Transport.Tcp ? Transport.Ws : Transport.Tcp;

    private static string Member(string cid) => $"\"{cid}\":{{\"id\":\"{cid}\",\"joinedAt\":<n>}}";

    private static string RoomViewData(string room, params string[] memberCids) =>
        $"{{\"room\":\"{room}\",\"members\":{{{string.Join(",", memberCids.Select(Member))}}},\"membersCount\":{memberCids.Length}}}";

    // ---------------------------------------------------------------- welcome, detailsView

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Welcome_is_exact_and_nothing_else_comes_before_the_first_request(Transport transport)
    {
        await using var c = await WireClient.ConnectAsync(_node, transport, welcomed: false);
        Assert.Equal(c.Dialect.Welcome, await c.NextTextAsync());
        Assert.True(await c.IsSilentAsync(), "nothing else is sent before the first request");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task DetailsView_returns_the_connection_details_in_ActionHero_key_order(Transport transport)
    {
        var before = NowMs();
        await using var c = await Client(transport);
        var after = NowMs();
        var text = await c.VerbTextAsync("detailsView");
        var json = Parse(text);
        var data = json["data"]!.AsObject();
        var id = (string)data["id"]!;
        Equal(c.Ok(WireDialect.Details()), text, id);
        Assert.Equal(new[] { "status", "context", "data", "messageId" }, Keys(json));
        Assert.Equal(
            new[] { "id", "fingerprint", "remoteIP", "remotePort", "params", "connectedAt", "rooms", "totalActions", "pendingActions" },
            Keys(data));
        Assert.True(IsUuidV4(id), id);
        Assert.Equal(id, (string?)data["fingerprint"]);
        Assert.Contains(id, _node.Node.Api.LocalConnectionIds());
        Assert.InRange((long)data["remotePort"]!, 1, 65535);
        Assert.InRange((long)data["connectedAt"]!, before - 1000, after + 1000);
    }

    // ---------------------------------------------------------------- rooms

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RoomAdd_joins_an_existing_room_once_and_detailsView_lists_it(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client(transport);
        var id = await c.IdAsync();
        await c.ExpectOkAsync("true", "roomAdd", room);
        var details = await c.VerbTextAsync("detailsView");
        Equal(c.Ok(WireDialect.Details($"[\"{room}\"]")), details, id);
        await c.ExpectErrorAsync($"connection already in this room ({room})", "roomAdd", room);
        Assert.Single((await _node.Node.Api.StatusAsync(room)).Members);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RoomAdd_of_a_missing_room_or_no_room_is_room_does_not_exist(Transport transport)
    {
        await using var c = await Client(transport);
        await c.ExpectErrorAsync("room does not exist", "roomAdd", "no-such-room-" + Guid.NewGuid().ToString("N"));
        await c.ExpectErrorAsync("room does not exist", "roomAdd");
        Assert.Empty(await c.RoomsAsync());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RoomLeave_leaves_a_joined_room_and_refuses_otherwise(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client(transport);
        await c.ExpectErrorAsync($"connection not in this room ({room})", "roomLeave", room);
        await c.ExpectErrorAsync("connection not in this room (undefined)", "roomLeave");
        await c.ExpectOkAsync("true", "roomAdd", room);
        await c.ExpectOkAsync("true", "roomLeave", room);
        Assert.Empty(await c.RoomsAsync());
        await c.ExpectErrorAsync($"connection not in this room ({room})", "roomLeave", room);
        Assert.Empty((await _node.Node.Api.StatusAsync(room)).Members);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RoomView_lists_every_member_as_id_and_joinedAt(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var a = await Client(transport);
        await using var b = await Client(transport);
        var idA = await a.IdAsync();
        var idB = await b.IdAsync();
        var before = NowMs();
        await a.ExpectOkAsync("true", "roomAdd", room);
        await b.ExpectOkAsync("true", "roomAdd", room);
        var after = NowMs();

        var text = await b.VerbTextAsync("roomView", room);
        // ActionHero lists members in Redis hash order, so either order is right; the shape is exact.
        Assert.Contains(Mask(text, idA, idB), new[] { b.Ok(RoomViewData(room, "<cidA>", "<cidB>")), b.Ok(RoomViewData(room, "<cidB>", "<cidA>")) });
        foreach (var (_, member) in Parse(text)["data"]!["members"]!.AsObject())
            Assert.InRange((long)member!["joinedAt"]!, before - 1000, after + 1000);

        await b.ExpectOkAsync("true", "roomLeave", room);
        var alone = await a.VerbTextAsync("roomView", room);
        Assert.Equal(a.Ok(RoomViewData(room, "<cidA>")), Mask(alone, idA, idB));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RoomView_of_a_room_not_joined_is_refused(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client(transport);
        await c.ExpectErrorAsync($"connection not in this room ({room})", "roomView", room);
        await c.ExpectErrorAsync("connection not in this room (nosuch)", "roomView", "nosuch");
        await c.ExpectErrorAsync("connection not in this room (undefined)", "roomView");
    }

    // ---------------------------------------------------------------- say

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Say_replies_OK_first_and_every_member_including_the_sender_gets_the_chat_message_once(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var a = await Client(transport);
        await using var b = await Client(transport);
        var idA = await a.IdAsync();
        await a.ExpectOkAsync("true", "roomAdd", room);
        await b.ExpectOkAsync("true", "roomAdd", room);

        var before = NowMs();
        await a.SendVerbAsync("say", room, "hello world");
        Assert.Equal(a.Ok(), Mask(await a.NextTextAsync()));
        var atA = await a.NextTextAsync();
        var atB = await b.NextTextAsync();
        var after = NowMs();

        Equal(WireDialect.Chat("hello world", room, "<cid>"), atA, idA);
        Assert.Equal(atA, atB);
        var json = Parse(atA);
        Assert.Equal(new[] { "message", "room", "from", "context", "sentAt" }, Keys(json));
        Assert.InRange((long)json["sentAt"]!, before - 1000, after + 1000);
        Assert.True(await a.IsSilentAsync(), "the sender got a second copy");
        Assert.True(await b.IsSilentAsync(), "the other member got a second copy");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Say_without_a_room_or_a_message_is_refused_and_reaches_nobody(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client(transport);
        await c.ExpectOkAsync("true", "roomAdd", room);
        await c.ExpectErrorAsync("both room and message are required", "say");
        await c.ExpectErrorAsync("both room and message are required", "say", room);
        Assert.True(await c.IsSilentAsync(), "no chat message may follow a refused say");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Say_to_a_room_not_joined_is_refused_and_not_delivered(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var member = await Client(transport);
        await using var outsider = await Client(transport);
        await member.ExpectOkAsync("true", "roomAdd", room);
        await outsider.ExpectErrorAsync($"connection not in this room ({room})", "say", room, "hi", leftovers: "{\"message\":\"hi\"}");
        await outsider.ExpectErrorAsync("connection not in this room (nosuch)", "say", "nosuch", "hi", leftovers: "{\"message\":\"hi\"}");
        Assert.True(await member.IsSilentAsync(), "a refused say reaches nobody");
        Assert.True(await outsider.IsSilentAsync(), "a refused say reaches nobody");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Members_on_the_two_transports_receive_each_others_messages(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var sender = await Client(transport);
        await using var other = await Client(Other(transport));
        var senderId = await sender.IdAsync();
        await sender.JoinAsync(room);
        await other.JoinAsync(room);

        await sender.ExpectOkAsync(null, "say", room, "across");
        Equal(WireDialect.Chat("across", room, "<cid>"), await other.NextChatTextAsync(), senderId);
        Equal(WireDialect.Chat("across", room, "<cid>"), await sender.NextChatTextAsync(), senderId);
    }

    // ---------------------------------------------------------------- server API pushes, leaving

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Server_broadcast_reaches_members_from_0(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var a = await Client(transport);
        await using var b = await Client(transport);
        await a.JoinAsync(room);
        await b.JoinAsync(room);

        await _node.Node.Api.BroadcastAsync(room, JsonValue.Create("x"));
        Assert.Equal(WireDialect.Chat("x", room, "0"), Mask(await a.NextTextAsync()));
        Assert.Equal(WireDialect.Chat("x", room, "0"), Mask(await b.NextTextAsync()));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Destroying_a_room_tells_every_member_and_removes_them(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var a = await Client(transport);
        await using var b = await Client(transport);
        await a.JoinAsync(room);
        await b.JoinAsync(room);

        await _node.Node.Api.DestroyAsync(room);
        var expected = WireDialect.Chat("this room has been deleted", room, "0");
        Assert.Equal(expected, Mask(await a.NextTextAsync()));
        Assert.Equal(expected, Mask(await b.NextTextAsync()));

        await a.ExpectErrorAsync($"connection not in this room ({room})", "say", room, "still there?", leftovers: "{\"message\":\"still there?\"}");
        await b.ExpectErrorAsync($"connection not in this room ({room})", "roomView", room);
        Assert.Empty(await a.RoomsAsync());
        Assert.False(await _node.Node.Api.ExistsAsync(room));
        await a.ExpectErrorAsync("room does not exist", "roomAdd", room);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Closing_a_connection_removes_its_membership(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        var a = await Client(transport);
        await using var b = await Client(transport);
        var idB = await b.IdAsync();
        await a.JoinAsync(room);
        await b.JoinAsync(room);
        Assert.Equal(2, (int)(await b.RoomViewAsync(room))["data"]!["membersCount"]!);

        await a.DisposeAsync(); // no quit, no roomLeave

        JsonObject? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = (await b.RoomViewAsync(room))["data"]!.AsObject();
            return (int)last["membersCount"]! == 1;
        }, "the closed connection leaves the room");
        Assert.Equal(new[] { idB }, Keys(last!["members"]));
    }
}
