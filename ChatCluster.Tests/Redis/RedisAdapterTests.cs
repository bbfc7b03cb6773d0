using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Node.Api;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Redis;
using ChatCluster.Tests.Support;
using StackExchange.Redis;

namespace ChatCluster.Tests.Redis;

/// <summary>
/// One ChatCluster node with the Redis adapter against a real redis-server: ActionHero's key layout and values, the
/// bus format of our chat, ActionHero's chat reaching our members, the cluster RPC, RPC timeouts. The test plays the
/// ActionHero side with StackExchange.Redis directly (exact keys, exact JSON).
/// </summary>
[Collection("redis")]
public sealed class RedisAdapterTests : IAsyncLifetime
{
    private const string Token = "test-token";
    private readonly RedisServerFixture _redis;
    private readonly string _channel = RedisNode.NewChannel();
    private ChatNode _node = null!;
    private ConnectionMultiplexer _client = null!;

    public RedisAdapterTests(RedisServerFixture redis) => _redis = redis;

    private IDatabase Db => _client.GetDatabase();

    private RedisChatAdapter Adapter => _node.Redis!;

    public async Task InitializeAsync()
    {
        _node = await RedisNode.StartAsync(_redis.ConnectionString, _channel, Token, "chatcluster.redis.rpc-timeout = 700ms");
        _client = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _node.StopAsync();
        await _client.DisposeAsync();
    }

    private async Task<(TcpTestClient Client, string Id)> TcpAsync()
    {
        var client = await (await TcpTestClient.ConnectAsync(_node.TcpPort)).Welcomed();
        var details = await client.RequestAsync("detailsView");
        return (client, (string)details["data"]!["id"]!);
    }

    private async Task<(WebSocketTestClient Client, string Id)> WsAsync()
    {
        var client = await (await WebSocketTestClient.ConnectAsync(_node.WebPort)).Welcomed();
        var details = await client.RequestAsync(new { @event = "detailsView", messageId = 1 });
        return (client, (string)details["data"]!["id"]!);
    }

    private Task PublishAsync(string json) => _client.GetSubscriber().PublishAsync(RedisChannel.Literal(_channel), json);

    [Fact]
    public async Task Key_store_should_mirror_create_join_leave_close_and_destroy_exactly_as_ActionHero()
    {
        var room = RedisNode.NewRoom();
        var members = RedisChatKeys.MembersPrefix + room;
        await _node.Api.AddAsync(room);
        Assert.True(await Db.SetContainsAsync("actionhero:chatRoom:rooms", room));
        Assert.Equal(RedisType.Set, await Db.KeyTypeAsync("actionhero:chatRoom:rooms"));

        var (a, aId) = await TcpAsync();
        var (b, bId) = await TcpAsync();
        await using (a)
        await using (b)
        {
            var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Assert.Equal("OK", (string?)(await a.RequestAsync("roomAdd " + room))["status"]);
            Assert.Equal("OK", (string?)(await b.RequestAsync("roomAdd " + room))["status"]);
            await Eventually.TrueAsync(async () => await Db.HashLengthAsync(members) == 2, "both members in the hash");
            Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync(members));
            var value = (string)(await Db.HashGetAsync(members, aId))!;
            // {"id","joinedAt","host"} in that order, joinedAt a ms epoch number, host = this node's serverId.
            var joinedAt = (long)JsonNode.Parse(value)!["joinedAt"]!;
            Assert.InRange(joinedAt, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Assert.Equal($"{{\"id\":\"{aId}\",\"joinedAt\":{joinedAt},\"host\":\"{Adapter.ServerId}\"}}", value);
            Assert.StartsWith("redisnode@127.0.0.1:", Adapter.ServerId);

            Assert.Equal("OK", (string?)(await a.RequestAsync("roomLeave " + room))["status"]);
            await Eventually.TrueAsync(async () => !await Db.HashExistsAsync(members, aId), "HDEL after roomLeave");
            Assert.True(await Db.HashExistsAsync(members, bId));
        }
        // b's socket closed without leaving: the close path removes it.
        await Eventually.TrueAsync(async () => !await Db.KeyExistsAsync(members), "HDEL after the connection closed");

        var (c, cId) = await TcpAsync();
        await using (c)
        {
            Assert.Equal("OK", (string?)(await c.RequestAsync("roomAdd " + room))["status"]);
            await Eventually.TrueAsync(async () => await Db.HashExistsAsync(members, cId), "c in the hash");
            await Db.HashSetAsync(members, "ah-member", "{\"id\":\"ah-member\",\"joinedAt\":1,\"host\":\"192.0.2.9\"}");
            var recorder = await BusRecorder.StartAsync(_redis.ConnectionString, _channel);
            await using (recorder)
            {
                await _node.Api.DestroyAsync(room);
                // The member c hears the notice; ActionHero's member is removed through RPC (nobody answers here: bounded wait).
                var notice = await c.ReadUntilAsync(j => (string?)j["context"] == "user");
                Assert.Equal(ChatErrors.RoomHasBeenDeleted, (string?)notice["message"]);
                var rpc = await recorder.NextAsync(j => (string?)j["messageType"] == "do" && (string?)j["method"] == RedisChatKeys.RemoveMember);
                var messageId = (string)JsonNode.Parse(rpc)!["messageId"]!;
                Assert.Equal($"{{\"messageType\":\"do\",\"serverId\":\"{Adapter.ServerId}\",\"serverToken\":\"{Token}\",\"messageId\":\"{messageId}\","
                    + $"\"method\":\"api.chatRoom.removeMember\",\"connectionId\":\"ah-member\",\"args\":[\"ah-member\",\"{room}\"]}}", rpc);
            }
        }
        Assert.False(await Db.SetContainsAsync("actionhero:chatRoom:rooms", room));
        Assert.False(await Db.KeyExistsAsync(members));
    }

    [Fact]
    public async Task Rooms_created_and_destroyed_by_ActionHero_are_seen_and_status_lists_both_kinds_of_member()
    {
        var room = RedisNode.NewRoom("ah");
        var members = RedisChatKeys.MembersPrefix + room;
        var (a, aId) = await TcpAsync();
        await using var _ = a;
        Assert.Equal(ChatErrors.RoomNotExist, (string?)(await a.RequestAsync("roomAdd " + room))["error"]);

        // An ActionHero node creates the room and has two members: one written by v29, one `{}` by v21–v27.
        await Db.SetAddAsync("actionhero:chatRoom:rooms", room);
        await Db.HashSetAsync(members, "ah-1", "{\"id\":\"ah-1\",\"joinedAt\":1795560285835,\"host\":\"192.0.2.2\"}");
        await Db.HashSetAsync(members, "ah-old", "{}");
        Assert.True(await _node.Api.ExistsAsync(room));
        Assert.Equal("OK", (string?)(await a.RequestAsync("roomAdd " + room))["status"]);
        Assert.Equal(ChatErrors.RoomExists, (await Assert.ThrowsAsync<ChatException>(() => _node.Api.AddAsync(room))).Message);
        Assert.Contains(room, await _node.Api.ListAsync());

        var view = await a.RequestAsync("roomView " + room);
        var data = view["data"]!.AsObject();
        Assert.Equal(3, (int)data["membersCount"]!);
        var listed = data["members"]!.AsObject();
        Assert.Equal(1795560285835L, (long)listed["ah-1"]!["joinedAt"]!);
        Assert.Equal(aId, (string?)listed[aId]!["id"]);
        Assert.NotNull(listed["ah-old"]);
        var status = await _node.Api.StatusAsync(room);
        Assert.Equal(3, status.MembersCount);

        // ActionHero destroys it: SREM + DEL. The next check here sees it gone (and the member is out).
        await Db.SetRemoveAsync("actionhero:chatRoom:rooms", room);
        await Db.KeyDeleteAsync(members);
        Assert.False(await _node.Api.ExistsAsync(room));
        Assert.Equal(ChatErrors.NotInRoom(room), (string?)(await a.RequestAsync("say " + room + " hello"))["error"]);
        Assert.Equal(ChatErrors.RoomNotExist, (string?)(await a.RequestAsync("roomAdd " + room))["error"]);
    }

    [Fact]
    public async Task Say_should_be_published_once_as_an_ActionHero_chat_message_with_exact_key_order()
    {
        var room = await NewRoomAsync();
        var (a, aId) = await TcpAsync();
        await using var _ = a;
        await using var recorder = await BusRecorder.StartAsync(_redis.ConnectionString, _channel);
        Assert.Equal("OK", (string?)(await a.RequestAsync("roomAdd " + room))["status"]);
        await a.SendLineAsync("say " + room + " hello \"world\" é");
        var delivered = await a.ReadUntilAsync(j => (string?)j["context"] == "user");
        var sentAt = (long)delivered["sentAt"]!;
        var published = await recorder.NextAsync(j => (string?)j["messageType"] == "chat");
        Assert.Equal($"{{\"messageType\":\"chat\",\"serverToken\":\"{Token}\",\"serverId\":\"{Adapter.ServerId}\",\"message\":\"hello \\\"world\\\" é\","
            + $"\"sentAt\":{sentAt},\"connection\":{{\"id\":\"{aId}\",\"room\":\"{room}\"}}}}", published);
        Assert.True(await recorder.NoneAsync(j => (string?)j["messageType"] == "chat"), "published once");
        // Our own bus message is not delivered a second time to our member.
        Assert.True(await a.IsSilentAsync());

        // A server broadcast is published with from "0".
        await _node.Api.BroadcastAsync(room, JsonValue.Create("from server"));
        var broadcast = JsonNode.Parse(await recorder.NextAsync(j => (string?)j["messageType"] == "chat"))!;
        Assert.Equal("0", (string?)broadcast["connection"]!["id"]);
        Assert.Equal("from server", (string?)broadcast["message"]);
    }

    [Fact]
    public async Task Chat_published_by_an_ActionHero_node_reaches_our_tcp_and_websocket_members_once()
    {
        var room = await NewRoomAsync();
        var (tcp, _) = await TcpAsync();
        var (ws, _) = await WsAsync();
        await using var t = tcp;
        await using var w = ws;
        Assert.Equal("OK", (string?)(await tcp.RequestAsync("roomAdd " + room))["status"]);
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room, messageId = 2 }))["status"]);

        // Exactly what ActionHero 29 publishes (spec 2.1).
        await PublishAsync($"{{\"messageType\":\"chat\",\"serverToken\":\"{Token}\",\"serverId\":\"192.0.2.2\",\"message\":\"hello world\","
            + $"\"sentAt\":1795560286440,\"connection\":{{\"id\":\"c217a2f2-ah\",\"room\":\"{room}\"}}}}");
        var expected = $"{{\"message\":\"hello world\",\"room\":\"{room}\",\"from\":\"c217a2f2-ah\",\"context\":\"user\",\"sentAt\":1795560286440}}";
        Assert.Equal(expected, await tcp.ReadLineAsync());
        Assert.Equal(expected, await ws.ReadTextAsync());

        // Ignored: another serverToken; a message published by a ChatCluster node (it reached our members through Akka).
        await PublishAsync($"{{\"messageType\":\"chat\",\"serverToken\":\"other\",\"serverId\":\"192.0.2.2\",\"message\":\"x\",\"sentAt\":1,\"connection\":{{\"id\":\"c\",\"room\":\"{room}\"}}}}");
        await PublishAsync($"{{\"messageType\":\"chat\",\"serverToken\":\"{Token}\",\"serverId\":\"redisnode@127.0.0.1:1\",\"message\":\"x\",\"sentAt\":1,\"connection\":{{\"id\":\"c\",\"room\":\"{room}\"}}}}");
        await PublishAsync("not json");
        Assert.True(await tcp.IsSilentAsync());
        Assert.True(await ws.IsSilentAsync());
    }

    [Fact]
    public async Task Rpc_do_should_be_answered_with_ActionHero_doResponse()
    {
        var room = await NewRoomAsync();
        var (a, aId) = await TcpAsync();
        await using var _ = a;
        await using var recorder = await BusRecorder.StartAsync(_redis.ConnectionString, _channel);

        async Task<string> Call(string method, string args, string? connectionId, string messageId)
        {
            var conn = connectionId is null ? "" : $"\"connectionId\":\"{connectionId}\",";
            await PublishAsync($"{{\"messageType\":\"do\",\"serverId\":\"192.0.2.2\",\"serverToken\":\"{Token}\",\"messageId\":\"{messageId}\","
                + $"\"method\":\"{method}\",{conn}\"args\":{args}}}");
            return await recorder.NextAsync(j => (string?)j["messageType"] == "doResponse" && (string?)j["messageId"] == messageId);
        }

        string Response(string messageId, string? response) =>
            $"{{\"messageType\":\"doResponse\",\"serverId\":\"{Adapter.ServerId}\",\"serverToken\":\"{Token}\",\"messageId\":\"{messageId}\""
            + (response is null ? "" : $",\"response\":{response}") + "}";

        // addMember (broken upstream, works here) and removeMember
        Assert.Equal(Response("m1", "true"), await Call(RedisChatKeys.AddMember, $"[\"{aId}\",\"{room}\"]", aId, "m1"));
        Assert.Contains(room, (await a.RequestAsync("detailsView"))["data"]!["rooms"]!.AsArray().Select(r => (string?)r));
        await Eventually.TrueAsync(async () => await Db.HashExistsAsync(RedisChatKeys.MembersPrefix + room, aId), "HSET after the RPC addMember");
        Assert.Equal(Response("m2", "true"), await Call(RedisChatKeys.RemoveMember, $"[\"{aId}\",\"{room}\"]", aId, "m2"));
        Assert.Empty((await a.RequestAsync("detailsView"))["data"]!["rooms"]!.AsArray());

        // applyResponder: set, then sendMessage (args passed as one value); the answer is the cleaned connection.
        var set = JsonNode.Parse(await Call(RedisChatKeys.ApplyResponder, $"[\"{aId}\",\"set\",[\"auth\",true]]", aId, "m3"))!;
        Assert.Equal(aId, (string?)set["response"]!["id"]);
        Assert.Equal("socket", (string?)set["response"]!["type"]);
        Assert.True((bool)set["response"]!["auth"]!);
        Assert.Equal(new[] { "messageType", "serverId", "serverToken", "messageId", "response" }, set.AsObject().Select(p => p.Key));
        await Call(RedisChatKeys.ApplyResponder, $"[\"{aId}\",\"sendMessage\",{{\"hello\":\"there\",\"context\":\"alert\"}}]", aId, "m4");
        Assert.Equal("{\"hello\":\"there\",\"context\":\"alert\"}", await a.ReadLineAsync());

        // api.log join notice: an empty doResponse.
        Assert.Equal(Response("m5", null), await Call(RedisChatKeys.Log, "[\"actionhero member 192.0.2.2 has joined the cluster\"]", null, "m5"));

        // Not ours, unknown method, or a failing method: silence (the caller times out).
        Assert.True(await recorder.NoneAsync(j => (string?)j["messageType"] == "doResponse"));
        await PublishAsync($"{{\"messageType\":\"do\",\"serverId\":\"x\",\"serverToken\":\"{Token}\",\"messageId\":\"n1\",\"method\":\"api.chatRoom.removeMember\",\"connectionId\":\"nobody\",\"args\":[\"nobody\",\"{room}\"]}}");
        await PublishAsync($"{{\"messageType\":\"do\",\"serverId\":\"x\",\"serverToken\":\"{Token}\",\"messageId\":\"n2\",\"method\":\"api.nope\",\"args\":[]}}");
        await PublishAsync($"{{\"messageType\":\"do\",\"serverId\":\"x\",\"serverToken\":\"{Token}\",\"messageId\":\"n3\",\"method\":\"api.chatRoom.removeMember\",\"connectionId\":\"{aId}\",\"args\":[\"{aId}\",\"{room}\"]}}");
        Assert.True(await recorder.NoneAsync(j => (string?)j["messageType"] == "doResponse"));
    }

    [Fact]
    public async Task Rpc_calls_to_connections_nobody_holds_fail_with_RPC_Timeout()
    {
        await using var recorder = await BusRecorder.StartAsync(_redis.ConnectionString, _channel);
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<ChatException>(() => _node.Api.SendMessageAsync("ah-conn", new JsonObject { ["x"] = 1 }));
        Assert.Equal("RPC Timeout", e.Message);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(600), Timeouts.Expect);
        var call = JsonNode.Parse(await recorder.NextAsync(j => (string?)j["messageType"] == "do"))!;
        Assert.Equal("api.connections.applyResponder", (string?)call["method"]);
        Assert.Equal("[\"ah-conn\",\"sendMessage\",{\"x\":1}]", call["args"]!.ToJsonString());

        Assert.Equal("RPC Timeout", (await Assert.ThrowsAsync<ChatException>(() => _node.Api.AddMemberAsync("ah-conn", "defaultRoom"))).Message);

        // The first doResponse resolves the call.
        var answered = _node.Api.SetPropertyAsync("ah-conn2", "auth", JsonValue.Create(true));
        var request = JsonNode.Parse(await recorder.NextAsync(j => (string?)j["messageType"] == "do" && (string?)j["connectionId"] == "ah-conn2"))!;
        Assert.Equal("[\"ah-conn2\",\"set\",[\"auth\",true]]", request["args"]!.ToJsonString());
        await PublishAsync($"{{\"messageType\":\"doResponse\",\"serverId\":\"192.0.2.2\",\"serverToken\":\"{Token}\",\"messageId\":\"{request["messageId"]}\",\"response\":{{\"id\":\"ah-conn2\"}}}}");
        Assert.True(await answered.WaitAsync(Timeouts.Expect));
    }

    private async Task<string> NewRoomAsync()
    {
        var room = RedisNode.NewRoom();
        await _node.Api.AddAsync(room);
        return room;
    }
}
