using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Tests.Redis;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.History;

/// <summary>
/// With Redis (chatcluster.history.store = auto and a key store) a room's history survives the crash of the node that
/// held it: the room starts again on a survivor, reads its stream, and continues the same epoch, so a client that
/// rejoins through another node with its last position gets exactly what it missed, <c>recovered:true</c>, then live
/// messages, no duplicate. (Without Redis the same crash gives recovered:false: <see cref="HistoryFailoverTests"/>.)
/// </summary>
[Collection("cluster")]
public sealed class RedisHistoryFailoverTests : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        // One set of overrides for all three nodes: the same journal key prefix, so every node finds the room's stream.
        _cluster = await TestCluster.StartAsync(3, RedisNode.Overrides(_redis.ConnectionString, RedisNode.NewChannel(), "t",
            """chatcluster.history.rooms = [ { pattern = "*", size = 100, ttl = 5m } ]"""));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<TcpTestClient> Tcp(int node) => await (await TcpTestClient.ConnectAsync(_cluster[node].TcpPort)).Welcomed();

    private static bool IsResponse(JsonObject m) => HistoryClients.IsResponse(m);

    [Fact]
    public async Task A_crash_of_the_rooms_node_should_keep_the_epoch_and_a_rejoin_through_another_node_should_recover()
    {
        var crashing = _cluster[2];
        var room = await _cluster.RoomHostedOnAsync(crashing, "crashing");
        await using var sender = await Tcp(0);
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);

        var (epoch, offset) = await HistoryClients.PositionAfterAsync(() => Tcp(1), sender, room, "before the crash");
        for (var i = 1; i <= 3; i++)
            Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} missed {i}"))["status"]);

        await crashing.CrashAsync();
        // The room comes back on a survivor (asked through the server API: no say of ours is ordered meanwhile).
        await HistoryClients.RoomIsBackAfterCrashAsync(_cluster[0].Api, room);

        await using var after = await Tcp(1);
        await after.SendLineAsync($"roomAdd {room} since {offset} {epoch}");
        var chat = new List<JsonObject>();
        for (var i = 0; i < 3; i++) chat.Add(await after.ReadJsonAsync());
        var reply = await after.ReadJsonAsync();
        Assert.Equal("OK", (string?)reply["status"]);
        Assert.True((bool)reply["data"]!["recovered"]!, reply.ToJsonString());
        Assert.Equal(epoch, (string?)reply["data"]!["epoch"]);
        Assert.Equal(3, (int)reply["data"]!["replayed"]!);
        Assert.Equal(new[] { "missed 1", "missed 2", "missed 3" }, chat.Select(m => (string)m["message"]!));
        Assert.Equal(new[] { offset + 1, offset + 2, offset + 3 }, chat.Select(m => (long)m["offset"]!));
        Assert.All(chat, m => Assert.Equal(epoch, (string?)m["epoch"]));

        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} after the crash", timeout: Timeouts.Expect * 3))["status"]);
        var live = await after.ReadJsonAsync();
        Assert.Equal("after the crash", (string?)live["message"]);
        Assert.Equal(offset + 4, (long)live["offset"]!);
        Assert.Equal(epoch, (string?)live["epoch"]);
        Assert.True(await after.IsSilentAsync()); // no duplicate of a replayed or live message
    }

    [Fact]
    public async Task A_retry_reaching_the_rooms_next_actor_after_a_crash_should_find_its_say_in_the_stream()
    {
        var crashing = _cluster[2];
        var room = await _cluster.RoomHostedOnAsync(crashing, "retried");
        await using var sender = await Tcp(0);
        var (epoch, offset, say) = await HistoryClients.TicketedSayOrderedOnceAsync(() => Tcp(1), sender, room, "before the crash", "said once",
            _cluster[0].Services.RoomRegion, _cluster[0].Services.Fanout);

        await crashing.CrashAsync();
        // A retry sent at once waits in the region until the room starts again, then in the new actor's stash while it
        // reads the stream (it must not be ordered before the stream's tickets are known); one more once it is back.
        _cluster[0].Services.RoomRegion.Tell(say, ActorRefs.NoSender);
        await HistoryClients.RoomIsBackAfterCrashAsync(_cluster[0].Api, room);
        // The retry carries no earlier position (as when the sender's node never saw its copy): the ticket in the stream decides.
        _cluster[0].Services.RoomRegion.Tell(say, ActorRefs.NoSender);
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} after the crash", timeout: Timeouts.Expect * 3))["status"]);

        await using var reader = await Tcp(1);
        var (chat, reply) = await HistoryClients.RejoinAsync(reader, room, offset, epoch);
        Assert.True((bool)reply["data"]!["recovered"]!, reply.ToJsonString());
        Assert.Equal(new[] { "said once", "after the crash" }, chat.Select(m => (string)m["message"]!));
        Assert.Equal(new[] { offset + 1, offset + 2 }, chat.Select(m => (long)m["offset"]!));
    }
}
