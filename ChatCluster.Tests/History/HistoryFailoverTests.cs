using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Tests.Support;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.History;

/// <summary>
/// A graceful hand-over keeps a room's history and epoch (clients recover across the move); a crash of the node that held a room (in process: sockets aborted, the actor system terminated without leaving):
/// without Redis the room's in-memory history is gone, so it comes back in a new epoch and a rejoin says
/// recovered:false. Never a silent gap.
/// </summary>
[Collection("cluster")]
public sealed class HistoryFailoverTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(3, """chatcluster.history.rooms = [ { pattern = "*", size = 100, ttl = 5m } ]""");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<TcpTestClient> Tcp(int node) => await (await TcpTestClient.ConnectAsync(_cluster[node].TcpPort)).Welcomed();

    private static bool IsResponse(JsonObject m) => HistoryClients.IsResponse(m);

    [Fact]
    public async Task A_graceful_hand_over_should_keep_the_epoch_and_a_rejoin_should_recover_through_another_node()
    {
        var leaving = _cluster[2];
        var room = await _cluster.RoomHostedOnAsync(leaving, "moving");
        await using var sender = await Tcp(0);
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);

        var (epoch, offset) = await HistoryClients.PositionAfterAsync(() => Tcp(1), sender, room, "before the move");
        for (var i = 1; i <= 3; i++)
            Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} missed {i}"))["status"]);

        await leaving.StopAsync(); // graceful: its rooms are handed over, then it leaves
        await Eventually.TrueAsync(async () => (await _cluster[0].Api.StatusAsync(room)).MembersCount == 1, "the room is back, with its member");

        await using var after = await Tcp(1);
        await after.SendLineAsync($"roomAdd {room} since {offset} {epoch}");
        var chat = new List<JsonObject>();
        for (var i = 0; i < 3; i++) chat.Add(await after.ReadJsonAsync());
        var reply = await after.ReadJsonAsync();
        Assert.True((bool)reply["data"]!["recovered"]!, reply.ToJsonString());
        Assert.Equal(epoch, (string?)reply["data"]!["epoch"]);
        Assert.Equal(new[] { "missed 1", "missed 2", "missed 3" }, chat.Select(m => (string)m["message"]!));
        Assert.Equal(new[] { offset + 1, offset + 2, offset + 3 }, chat.Select(m => (long)m["offset"]!));

        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} after the move"))["status"]);
        var live = await after.ReadUntilAsync(m => (string?)m["message"] == "after the move");
        Assert.Equal(offset + 4, (long)live["offset"]!);
        Assert.Equal(epoch, (string?)live["epoch"]);
    }

    [Fact]
    public async Task A_crash_of_the_rooms_node_should_start_a_new_epoch_and_a_rejoin_should_say_recovered_false()
    {
        var crashing = _cluster[2];
        var room = await _cluster.RoomHostedOnAsync(crashing, "crashing");
        await using var sender = await Tcp(0);
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);

        var (epoch, offset) = await HistoryClients.PositionAfterAsync(() => Tcp(1), sender, room, "before the crash");

        await crashing.CrashAsync();
        // The say waits (retried) until the room is back on a survivor, then it is ordered in the room's new epoch.
        await Eventually.TrueAsync(async () =>
            (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} after the crash", timeout: Timeouts.Expect * 3))["status"] == "OK",
            "a say reaches the revived room", Timeouts.Expect * 6);

        await using var after = await Tcp(1);
        var rejoined = await after.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room} since {offset} {epoch}");
        Assert.Equal("OK", (string?)rejoined["status"]);
        Assert.False((bool)rejoined["data"]!["recovered"]!);
        Assert.NotEqual(epoch, (string?)rejoined["data"]!["epoch"]);
        Assert.Equal(0, (int)rejoined["data"]!["replayed"]!);
        Assert.True(await after.IsSilentAsync()); // nothing from the old epoch is replayed as if it were continuous
    }

    [Fact]
    public async Task A_retry_reaching_the_rooms_next_actor_after_a_graceful_hand_over_should_not_be_ordered_twice()
    {
        var leaving = _cluster[2];
        var room = await _cluster.RoomHostedOnAsync(leaving, "retried");
        await using var sender = await Tcp(0);
        var (epoch, offset, say) = await HistoryClients.TicketedSayOrderedOnceAsync(() => Tcp(1), sender, room, "before the move", "said once",
            _cluster[0].Services.RoomRegion, _cluster[0].Services.Fanout);

        await leaving.StopAsync(); // graceful: the room's history and its ordered says move to its next actor
        _cluster[0].Services.RoomRegion.Tell(say, ActorRefs.NoSender); // may reach the next actor before or with its hand-over
        await Eventually.TrueAsync(async () => (await _cluster[0].Api.StatusAsync(room)).MembersCount == 1, "the room is back, with its member");
        _cluster[0].Services.RoomRegion.Tell(say, ActorRefs.NoSender); // the sender's retry (its OK was late) reaches the next actor
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"say {room} after the move"))["status"]);

        await using var reader = await Tcp(1);
        var (chat, reply) = await HistoryClients.RejoinAsync(reader, room, offset, epoch);
        Assert.True((bool)reply["data"]!["recovered"]!, reply.ToJsonString());
        Assert.Equal(new[] { "said once", "after the move" }, chat.Select(m => (string)m["message"]!));
        Assert.Equal(new[] { offset + 1, offset + 2 }, chat.Select(m => (long)m["offset"]!));
    }

    [Fact]
    public async Task A_say_ordered_again_after_a_crash_should_reach_exactly_the_members_that_never_got_it()
    {
        var crashing = _cluster[2];
        var room = await _cluster.RoomHostedOnAsync(crashing, "reordered");
        await using var stays = await Tcp(1); // stays on its node through the crash (keeps the room, with a member)
        var joined = await stays.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room} positions");
        var epoch = (string)joined["data"]!["epoch"]!;
        var say = HistoryClients.TicketedSay(room, "seen before the crash", _cluster[1].Services.Fanout);
        _cluster[1].Services.RoomRegion.Tell(say, ActorRefs.NoSender);
        var seen = (long)(await stays.ReadUntilAsync(m => (string?)m["message"] == "seen before the crash"))["offset"]!;

        await crashing.CrashAsync();
        await HistoryClients.RoomIsBackAfterCrashAsync(_cluster[0].Api, room);

        // Node 0 held no member of the room: nothing there dropped the say as a copy. One member moved there from the
        // position where it saw the say, one joined there fresh.
        await using var moved = await Tcp(0);
        var (replayed, rejoined) = await HistoryClients.RejoinAsync(moved, room, seen, epoch);
        Assert.False((bool)rejoined["data"]!["recovered"]!, rejoined.ToJsonString());
        Assert.Empty(replayed);
        await using var fresh = await Tcp(0);
        Assert.Equal("OK", (string?)(await fresh.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room} positions"))["status"]);
        // Node 1 delivered the say before the crash; a member that joined there only afterwards never got it (the history
        // chaos run's reader that moved to the sender's node after the crash).
        await using var lateOnSendersNode = await Tcp(1);
        Assert.Equal("OK", (string?)(await lateOnSendersNode.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room} positions"))["status"]);

        // The sender's node saw its copy at (epoch, seen) but not the OK: its retry says so; the new epoch orders it again.
        _cluster[1].Services.RoomRegion.Tell(say with { Prior = new Position(long.Parse(epoch), seen) }, ActorRefs.NoSender);
        _cluster[1].Services.RoomRegion.Tell(HistoryClients.TicketedSay(room, "after the crash", _cluster[1].Services.Fanout), ActorRefs.NoSender);

        var freshGot = new List<JsonObject>();
        await fresh.ReadUntilAsync(m => (string?)m["message"] == "after the crash", freshGot);
        Assert.Single(freshGot, m => (string?)m["message"] == "seen before the crash"); // the new epoch ordered it again
        var lateGot = new List<JsonObject>();
        await lateOnSendersNode.ReadUntilAsync(m => (string?)m["message"] == "after the crash", lateGot);
        Assert.Single(lateGot, m => (string?)m["message"] == "seen before the crash"); // not dropped as the node's copy
        var movedGot = new List<JsonObject>();
        await moved.ReadUntilAsync(m => (string?)m["message"] == "after the crash", movedGot);
        Assert.DoesNotContain(movedGot, m => (string?)m["message"] == "seen before the crash"); // no duplicate: it saw the say in the old epoch
        var stayedGot = new List<JsonObject>();
        await stays.ReadUntilAsync(m => (string?)m["message"] == "after the crash", stayedGot);
        Assert.DoesNotContain(stayedGot, m => (string?)m["message"] == "seen before the crash"); // its node had delivered it
    }
}
