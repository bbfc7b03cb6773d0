using System.Diagnostics;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Redis;
using ChatCluster.Tests.Support;
using StackExchange.Redis;

namespace ChatCluster.Tests.Redis;

/// <summary>
/// A mixed cluster: a real ActionHero 29.3.5 node (npm) and a ChatCluster node on one redis-server, talking over real
/// sockets. Filter: <c>dotnet test --filter FullyQualifiedName~ActionHeroMixedCluster</c>. Needs node + npm and
/// the ActionHero peer app (see ActionHeroPeer.SourceFolder); fails with a message saying which is missing.
/// </summary>
public sealed class ActionHeroMixedClusterTests : IAsyncLifetime
{
    private const string Token = "mixed-cluster-token"; // AH_SERVER_TOKEN for the peer (its config/api.js), server-token for us
    private readonly RedisServerFixture _redis = new();
    private ActionHeroPeer _ah = null!;
    private ChatNode _node = null!;
    private ConnectionMultiplexer _client = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _ah = await ActionHeroPeer.StartAsync(_redis.Port, Token);
        // ActionHero's channel is its default, "actionhero".
        _node = await RedisNode.StartAsync(_redis.ConnectionString, "actionhero", Token);
        _client = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _node.StopAsync();
        await _ah.DisposeAsync();
        await _client.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private IDatabase Db => _client.GetDatabase();

    private static bool IsChat(JsonObject j) => (string?)j["context"] == "user";

    [Fact]
    public async Task ActionHero_and_ChatCluster_members_chat_view_leave_destroy_and_survive_an_ActionHero_crash()
    {
        try
        {
            await MixedSession();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException || e.Message.Length > 0)
        {
            throw new InvalidOperationException($"{e.Message}\n--- ActionHero log ---\n{_ah.Log}", e);
        }
    }

    private async Task MixedSession()
    {
        var clock = Stopwatch.StartNew();
        // A room created by the ActionHero node (its createChatRoom action), joined from both sides.
        var room = RedisNode.NewRoom("mixed");
        Assert.Contains("\"didCreate\":true", await _ah.CreateRoomAsync(room));

        await using var ah = await (await WebSocketTestClient.ConnectAsync(_ah.WebPort)).Welcomed();
        var ahId = (string)(await ah.RequestAsync(new { @event = "detailsView", messageId = 1 }))["data"]!["id"]!;
        await using var tcp = await (await TcpTestClient.ConnectAsync(_node.TcpPort)).Welcomed();
        var tcpId = (string)(await tcp.RequestAsync("detailsView"))["data"]!["id"]!;
        await using var ws = await (await WebSocketTestClient.ConnectAsync(_node.WebPort)).Welcomed();

        Assert.Equal("OK", (string?)(await ah.RequestAsync(new { @event = "roomAdd", room, messageId = 2 }))["status"]);
        Assert.Equal("OK", (string?)(await tcp.RequestAsync("roomAdd " + room))["status"]);
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room, messageId = 3 }))["status"]);

        // ActionHero -> ChatCluster
        await ah.SendJsonAsync(new { @event = "say", room, message = "hello from actionhero", messageId = 4 });
        var fromAh = await tcp.ReadUntilAsync(IsChat);
        Assert.Equal("hello from actionhero", (string?)fromAh["message"]);
        Assert.Equal(ahId, (string?)fromAh["from"]);
        Assert.Equal("hello from actionhero", (string?)(await ws.ReadUntilAsync(IsChat))["message"]);
        Assert.Equal("hello from actionhero", (string?)(await ah.ReadUntilAsync(IsChat))["message"]); // the sender gets its own

        // ChatCluster -> ActionHero, once each
        await tcp.SendLineAsync("say " + room + " hello from chatcluster");
        var fromCc = await ah.ReadUntilAsync(IsChat);
        Assert.Equal("hello from chatcluster", (string?)fromCc["message"]);
        Assert.Equal(tcpId, (string?)fromCc["from"]);
        Assert.Equal("hello from chatcluster", (string?)(await ws.ReadUntilAsync(IsChat))["message"]);
        Assert.Equal("hello from chatcluster", (string?)(await tcp.ReadUntilAsync(IsChat))["message"]);
        Assert.True(await ah.IsSilentAsync() && await ws.IsSilentAsync() && await tcp.IsSilentAsync(), "no duplicates");

        // Room status lists both kinds of member, on either side.
        var ahView = await ah.RequestAsync(new { @event = "roomView", room, messageId = 5 });
        Assert.Equal(3, (int)ahView["data"]!["membersCount"]!);
        Assert.NotNull(ahView["data"]!["members"]![tcpId]);
        var ccView = await tcp.RequestAsync("roomView " + room);
        Assert.Equal(3, (int)ccView["data"]!["membersCount"]!);
        Assert.NotNull(ccView["data"]!["members"]![ahId]);

        // sendMessage from ChatCluster to the ActionHero connection (cluster RPC applyResponder).
        Assert.True(await _node.Api.SendMessageAsync(ahId, new JsonObject { ["note"] = "via rpc", ["context"] = "alert" }));
        Assert.Equal("via rpc", (string?)(await ah.ReadUntilAsync(j => (string?)j["context"] == "alert"))["note"]);

        // Leave on our side: ActionHero's view drops the member.
        Assert.Equal("OK", (string?)(await tcp.RequestAsync("roomLeave " + room))["status"]);
        await Eventually.TrueAsync(async () =>
            (int)(await ah.RequestAsync(new { @event = "roomView", room, messageId = 6 }))["data"]!["membersCount"]! == 2, "ActionHero sees 2 members");
        // Leave on theirs: our view drops it.
        Assert.Equal("OK", (string?)(await ah.RequestAsync(new { @event = "roomLeave", room, messageId = 7 }))["status"]);
        await Eventually.TrueAsync(async () => (await _node.Api.StatusAsync(room)).MembersCount == 1, "ChatCluster sees 1 member");

        // Destroy from ChatCluster: ActionHero's member hears it and is removed (RPC removeMember); the keys are gone.
        Assert.Equal("OK", (string?)(await ah.RequestAsync(new { @event = "roomAdd", room, messageId = 8 }))["status"]);
        await Eventually.TrueAsync(async () => (await _node.Api.StatusAsync(room)).MembersCount == 2, "ActionHero member back");
        await _node.Api.DestroyAsync(room);
        Assert.Equal(ChatErrors.RoomHasBeenDeleted, (string?)(await ah.ReadUntilAsync(IsChat))["message"]);
        Assert.Equal(ChatErrors.RoomHasBeenDeleted, (string?)(await ws.ReadUntilAsync(IsChat))["message"]);
        await Eventually.TrueAsync(async () =>
            (await ah.RequestAsync(new { @event = "detailsView", messageId = 9 }))["data"]!["rooms"]!.AsArray().Count == 0, "ActionHero member removed");
        Assert.False(await Db.SetContainsAsync(RedisChatKeys.Rooms, room));
        var ahAdd = await ah.RequestAsync(new { @event = "roomAdd", room, messageId = 10 });
        Assert.Equal("Error: room does not exist", (string?)ahAdd["error"]);

        // A room created on our side is joinable on theirs.
        var ours = RedisNode.NewRoom("ours");
        await _node.Api.AddAsync(ours);
        Assert.Equal("OK", (string?)(await ah.RequestAsync(new { @event = "roomAdd", room = ours, messageId = 11 }))["status"]);
        Assert.Equal("OK", (string?)(await tcp.RequestAsync("roomAdd " + ours))["status"]);
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room = ours, messageId = 12 }))["status"]);

        // The ActionHero node crashes (SIGKILL): our chat goes on.
        _ah.Kill();
        await tcp.SendLineAsync("say " + ours + " after the crash");
        Assert.Equal("after the crash", (string?)(await ws.ReadUntilAsync(IsChat))["message"]);
        Assert.Equal("after the crash", (string?)(await tcp.ReadUntilAsync(IsChat))["message"]);
        // Its member stays in the hash (ActionHero never sweeps); our view still lists it, as ActionHero's would.
        Assert.Equal(3, (await _node.Api.StatusAsync(ours)).MembersCount);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"bounded: took {clock.Elapsed}");
    }
}
