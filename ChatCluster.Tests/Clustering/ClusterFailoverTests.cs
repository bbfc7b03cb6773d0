using System.Diagnostics;
using Akka.Cluster;
using ChatCluster.Tests.Support;
using Xunit.Abstractions;

namespace ChatCluster.Tests.Clustering;

/// <summary>A fresh 3-node cluster per test: one node leaves or crashes, the survivors keep chatting.</summary>
[Collection("cluster")]
public sealed class ClusterFailoverTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private TestCluster _cluster = null!;

    public ClusterFailoverTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(3, "chatcluster.rooms.presence-events = on");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<TcpTestClient> Tcp(int node) => await (await TcpTestClient.ConnectAsync(_cluster[node].TcpPort)).Welcomed();

    private static async Task Join(TcpTestClient c, string room)
    {
        var reply = await c.ReadUntilAsync(m => (string?)m["context"] == "response", sendFirst: $"roomAdd {room}");
        Assert.Equal("OK", (string?)reply["status"]);
    }

    private static async Task<string> IdOf(TcpTestClient c)
    {
        await c.SendLineAsync("detailsView");
        var reply = await c.ReadUntilAsync(m => m["data"]?["id"] is not null);
        return (string)reply["data"]!["id"]!;
    }

    /// <summary>Says until one message gets through to <paramref name="to"/> (a room that moved may miss the first).</summary>
    private static async Task ChatGetsThrough(TcpTestClient from, TcpTestClient to, string room, string tag)
    {
        await Eventually.TrueAsync(async () =>
        {
            var text = $"{tag}-{Guid.NewGuid():N}";
            await from.SendLineAsync($"say {room} {text}");
            try
            {
                await to.ReadUntilAsync(m => (string?)m["message"] == text, timeout: TimeSpan.FromSeconds(2));
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, $"a message from one survivor reaches the other in {room}");
    }

    [Fact]
    public async Task A_node_that_leaves_should_say_goodbye_and_its_rooms_should_move_without_losing_members()
    {
        var leaving = _cluster[2];
        var room = await _cluster.RoomHostedOnAsync(leaving);
        await using var a = await Tcp(0);
        await using var b = await Tcp(1);
        var c = await Tcp(2);
        foreach (var x in new[] { a, b, c }) await Join(x, room);
        var ids = new[] { await IdOf(a), await IdOf(b) };

        await leaving.StopAsync();
        Assert.Contains("{\"status\":\"Bye!\",\"context\":\"api\"}", await c.ReadToEndAsync());
        await c.DisposeAsync();

        await ChatGetsThrough(a, b, room, "after-leave");
        await ChatGetsThrough(b, a, room, "after-leave");
        var status = await _cluster[0].Api.StatusAsync(room);
        Assert.Equal(ids.Order(), status.Members.Select(m => m.ConnectionId).Order());
        Assert.True(await _cluster[1].Api.ExistsAsync(room));
    }

    [Fact]
    public async Task A_crashed_node_should_be_downed_its_members_dropped_and_its_rooms_revived_on_survivors()
    {
        var crashing = _cluster[2];
        var hostedThere = await _cluster.RoomHostedOnAsync(crashing, "lived-on-crashed");
        var hostedElsewhere = await _cluster.RoomHostedOnAsync(_cluster[0], "lived-on-survivor");
        await using var a = await Tcp(0);
        await using var b = await Tcp(1);
        await using var c = await Tcp(2);
        foreach (var room in new[] { hostedThere, hostedElsewhere })
            foreach (var x in new[] { a, b, c }) await Join(x, room);
        var crashedId = await IdOf(c);

        var clock = Stopwatch.StartNew();
        await crashing.CrashAsync();

        // presence: the survivors are told that the crashed node's member left (a leave caused by the crash)
        await a.ReadUntilAsync(m => (string?)m["context"] == "presence" && (string?)m["event"] == "leave" && (string?)m["id"] == crashedId
            && (string?)m["room"] == hostedElsewhere);
        _output.WriteLine($"crashed member gone from {hostedElsewhere} after {clock.ElapsedMilliseconds} ms (in-process, test.conf timings)");
        await Eventually.TrueAsync(async () => (await _cluster[0].Api.StatusAsync(hostedElsewhere)).MembersCount == 2, "2 members left");

        await ChatGetsThrough(a, b, hostedThere, "revived");
        _output.WriteLine($"room that lived on the crashed node carries messages again after {clock.ElapsedMilliseconds} ms");
        await Eventually.TrueAsync(async () => (await _cluster[1].Api.StatusAsync(hostedThere)).MembersCount == 2,
            "the revived room lists exactly the survivors");
        Assert.DoesNotContain(Cluster.Get(_cluster[0].System).State.Members, m => m.Address.Equals(crashing.Address));
    }

    [Fact]
    public async Task Presence_notices_should_tell_members_who_joins_and_leaves()
    {
        var room = await _cluster.RoomHostedOnAsync(_cluster[1], "presence");
        await using var a = await Tcp(0);
        await using var b = await Tcp(2);
        await Join(a, room);
        var bId = await IdOf(b);
        await Join(b, room);
        var joined = await a.ReadUntilAsync(m => (string?)m["context"] == "presence" && (string?)m["event"] == "join" && (string?)m["id"] == bId);
        Assert.Equal(room, (string?)joined["room"]);
        await b.SendLineAsync($"roomLeave {room}");
        await a.ReadUntilAsync(m => (string?)m["context"] == "presence" && (string?)m["event"] == "leave" && (string?)m["id"] == bId);
    }
}
