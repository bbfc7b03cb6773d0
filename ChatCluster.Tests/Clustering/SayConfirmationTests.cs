using System.Text.Json.Nodes;
using System.Threading.Channels;
using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Clustering;

/// <summary>
/// A say to a room with members on another node than the sender's is acknowledged only once that node has delivered it
/// (issue 12: a partition that begins just after the room ordered a say must not leave an OK and the other side without
/// the message). Two real nodes, the sender on a real socket of node 0, the room on node 1; the other node with a member
/// is a stand-in fan-out on node 1 that the test lets confirm, or not, so the order is observed without timing.
/// </summary>
[Collection("cluster")]
public sealed class SayConfirmationTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static bool IsResponse(JsonObject m) => (string?)m["context"] == "response";

    /// <summary>Records what it is told, in order, for the test to read.</summary>
    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ChannelWriter<object> seen) => ReceiveAny(m => seen.TryWrite(m));
    }

    private sealed record StandInNode(IActorRef Fanout, Channel<object> Seen, IActorRef Connection)
    {
        public async Task<Deliver> NextDeliveryAsync()
        {
            using var cts = new CancellationTokenSource(Timeouts.Expect);
            while (true)
                if (await Seen.Reader.ReadAsync(cts.Token) is Deliver d) return d;
        }
    }

    private StandInNode StandIn()
    {
        var system = _cluster[1].System;
        var seen = Channel.CreateUnbounded<object>();
        return new StandInNode(system.ActorOf(Props.Create(() => new Recorder(seen.Writer))), seen,
            system.ActorOf(Props.Create(() => new Recorder(Channel.CreateUnbounded<object>().Writer))));
    }

    private async Task<(string Room, TcpTestClient Sender, StandInNode Other)> RoomWithMembersOnTwoNodesAsync()
    {
        var room = await _cluster.RoomHostedOnAsync(_cluster[1], "confirm");
        var sender = await (await TcpTestClient.ConnectAsync(_cluster[0].TcpPort)).Welcomed();
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);
        var other = StandIn();
        var joined = await _cluster[1].Services.RoomRegion.Ask<RoomReply>(
            new JoinRoom(room, "stand-in-member", other.Connection, other.Fanout, 1), Timeouts.Expect);
        Assert.True(joined.Ok, joined.Error);
        return (room, sender, other);
    }

    [Fact]
    public async Task A_say_should_be_acknowledged_only_after_the_other_node_with_members_confirmed_it()
    {
        var (room, sender, other) = await RoomWithMembersOnTwoNodesAsync();
        await using var _ = sender;

        await sender.SendLineAsync($"say {room} held");
        var delivery = await other.NextDeliveryAsync();
        Assert.NotNull(delivery.ConfirmTo);
        // The sender's own copy arrives (its node delivered), but no OK before it: the other node has not confirmed.
        var first = await sender.ReadJsonAsync(Timeouts.Expect);
        Assert.False(IsResponse(first), $"acknowledged before the other node confirmed: {first.ToJsonString()}");
        Assert.Equal("held", (string?)first["message"]);

        // Unconfirmed, the sender's retry (after say-retry-interval) brings the same delivery again: no new order.
        var again = await other.NextDeliveryAsync();
        Assert.Equal((delivery.Epoch, delivery.Seq, delivery.Ticket), (again.Epoch, again.Seq, again.Ticket));
        Assert.True(await sender.IsSilentAsync(), "no OK while the other node has not confirmed");

        delivery.ConfirmTo!.Tell(new DeliveryConfirmed(room, delivery.Ticket!, other.Fanout));
        Assert.Equal("OK", (string?)(await sender.ReadJsonAsync(Timeouts.Expect))["status"]);
        Assert.True(await sender.IsSilentAsync(), "the sender's copy is not written twice");
    }

    [Fact]
    public async Task A_say_should_be_acknowledged_when_the_unconfirmed_node_loses_its_members()
    {
        var (room, sender, other) = await RoomWithMembersOnTwoNodesAsync();
        await using var _ = sender;

        await sender.SendLineAsync($"say {room} left");
        await other.NextDeliveryAsync();
        Assert.Equal("left", (string?)(await sender.ReadJsonAsync(Timeouts.Expect))["message"]);
        Assert.True(await sender.IsSilentAsync(), "no OK while the other node has not confirmed");

        // Its member leaves (as when its connection or node goes away): nothing left to wait for.
        Assert.True((await _cluster[1].Services.RoomRegion.Ask<RoomReply>(new LeaveRoom(room, "stand-in-member"), Timeouts.Expect)).Ok);
        Assert.Equal("OK", (string?)(await sender.ReadJsonAsync(Timeouts.Expect))["status"]);

        // With every member on the sender's node again, the OK comes first, as before (no confirmation round).
        await sender.SendLineAsync($"say {room} alone");
        var reply = await sender.ReadJsonAsync(Timeouts.Expect);
        Assert.True(IsResponse(reply), reply.ToJsonString());
        Assert.Equal("alone", (string?)(await sender.ReadJsonAsync(Timeouts.Expect))["message"]);
    }

    [Fact]
    public async Task A_say_should_reach_a_real_member_on_the_other_node_no_later_than_the_senders_OK()
    {
        var room = await _cluster.RoomHostedOnAsync(_cluster[1], "confirm-real");
        await using var sender = await (await TcpTestClient.ConnectAsync(_cluster[0].TcpPort)).Welcomed();
        await using var receiver = await (await TcpTestClient.ConnectAsync(_cluster[1].TcpPort)).Welcomed();
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);
        Assert.Equal("OK", (string?)(await receiver.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);
        for (var i = 0; i < 20; i++)
        {
            await sender.SendLineAsync($"say {room} r-{i}");
            // OK after the sender's copy here: the OK waited for node 1, which had written the message to its member.
            Assert.Equal($"r-{i}", (string?)(await sender.ReadJsonAsync(Timeouts.Expect))["message"]);
            Assert.Equal("OK", (string?)(await sender.ReadJsonAsync(Timeouts.Expect))["status"]);
            Assert.Equal($"r-{i}", (string?)(await receiver.ReadJsonAsync(Timeouts.Expect))["message"]);
        }
    }
}
