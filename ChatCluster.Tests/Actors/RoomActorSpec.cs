using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit;
using ChatCluster.Messages;
using ChatCluster.Node.Rooms;
using ChatCluster.Tests.Support;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Actors;

/// <summary>RoomActor on a cluster of one (test.conf: serialize-messages on), probes standing in for connections and nodes.</summary>
public sealed class RoomActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly RoomActorSettings Settings = new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(3));

    public RoomActorSpec() : base(TestConfig.Load(), "room-spec")
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(10));
    }

    private IActorRef Room(string room) => Sys.ActorOf(RoomActor.Props(RoomMessageExtractor.EntityIdOf(room), Settings));

    private IActorRef CreatedRoom(string room)
    {
        var actor = Room(room);
        actor.Tell(new CreateRoom(room), TestActor);
        Assert.True(ExpectMsg<RoomReply>().Ok);
        return actor;
    }

    [Fact]
    public void Room_should_tell_the_members_node_before_replying_to_a_join()
    {
        var room = CreatedRoom("join-order");
        var node = CreateTestProbe();
        // The same probe is the node and the asker: it must see MemberAdded first.
        room.Tell(new JoinRoom("join-order", "c1", CreateTestProbe().Ref, node.Ref, 5), node.Ref);
        node.ExpectMsg<MemberAdded>(m => Assert.Equal(("join-order", "c1"), (m.Room, m.ConnectionId)));
        Assert.True(node.ExpectMsg<RoomReply>().Ok);
    }

    [Fact]
    public void Room_should_send_one_delivery_per_node_in_order()
    {
        var room = CreatedRoom("fanout");
        var nodeA = CreateTestProbe();
        var nodeB = CreateTestProbe();
        foreach (var (id, node) in new[] { ("a1", nodeA), ("a2", nodeA), ("b1", nodeB) })
        {
            room.Tell(new JoinRoom("fanout", id, CreateTestProbe().Ref, node.Ref, 1), TestActor);
            ExpectMsg<RoomReply>();
        }
        nodeA.ReceiveN(2);
        nodeB.ReceiveN(1);
        for (var i = 0; i < 3; i++)
            room.Tell(new Say(new ChatPayload("fanout", "a1", $"\"m{i}\"", 1), false));
        foreach (var node in new[] { nodeA, nodeB })
        {
            var seqs = new List<long>();
            for (var i = 0; i < 3; i++)
            {
                var d = node.ExpectMsg<Deliver>();
                Assert.Equal($"\"m{i}\"", d.Payload.MessageJson);
                seqs.Add(d.Seq);
            }
            Assert.Equal(new long[] { 1, 2, 3 }, seqs);
            node.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // one per node, not one per member
        }
    }

    [Fact]
    public void Room_should_drop_a_member_whose_connection_dies()
    {
        var room = CreatedRoom("death");
        var node = CreateTestProbe();
        var connection = CreateTestProbe();
        room.Tell(new JoinRoom("death", "c1", connection.Ref, node.Ref, 1), TestActor);
        ExpectMsg<RoomReply>();
        node.ExpectMsg<MemberAdded>();
        Sys.Stop(connection.Ref);
        node.ExpectMsg<MemberRemoved>(m => Assert.Equal("c1", m.ConnectionId));
        room.Tell(new GetRoomStatus("death"), TestActor);
        Assert.Empty(ExpectMsg<RoomStatusReply>().Members);
    }

    [Fact]
    public void Room_should_refuse_leave_of_non_member_and_join_of_missing_room()
    {
        var room = CreatedRoom("rules");
        room.Tell(new LeaveRoom("rules", "nobody"), TestActor);
        Assert.Equal("connection not in this room (rules)", ExpectMsg<RoomReply>().Error);

        Room("missing").Tell(new JoinRoom("missing", "c1", TestActor, TestActor, 1), TestActor);
        Assert.Equal(ChatErrors.RoomNotExist, ExpectMsg<RoomReply>().Error);
    }

    [Fact]
    public void Room_should_announce_deletion_remove_members_and_stop_existing_when_destroyed()
    {
        var room = CreatedRoom("doomed");
        var node = CreateTestProbe();
        var connection = CreateTestProbe();
        room.Tell(new JoinRoom("doomed", "c1", connection.Ref, node.Ref, 1), TestActor);
        ExpectMsg<RoomReply>();
        node.ExpectMsg<MemberAdded>();

        room.Tell(new DestroyRoom("doomed"), TestActor);
        var deleted = node.ExpectMsg<Deliver>();
        Assert.Equal("\"this room has been deleted\"", deleted.Payload.MessageJson);
        Assert.Equal("0", deleted.Payload.From);
        node.ExpectMsg<MemberRemoved>();
        connection.ExpectMsg<RemovedFromRoom>(m => Assert.Equal("doomed", m.Room));
        Assert.True(ExpectMsg<RoomReply>().Ok);

        room.Tell(new CheckRoomExists("doomed"), TestActor);
        Assert.False(ExpectMsg<RoomExistsReply>().Exists);
    }

    [Fact]
    public void Room_should_recover_existence_from_its_journal()
    {
        var first = CreatedRoom("durable");
        Watch(first);
        first.Tell(PoisonPill.Instance);
        ExpectTerminated(first);
        Room("durable").Tell(new CheckRoomExists("durable"), TestActor);
        Assert.True(ExpectMsg<RoomExistsReply>().Exists);
    }

    [Fact]
    public void Room_should_come_back_from_the_registry_when_its_journal_is_gone()
    {
        // As after a move to another node with an in-memory journal: listed in the registry, no events.
        var replicator = DistributedData.Get(Sys).Replicator;
        var self = Cluster.Get(Sys).SelfUniqueAddress;
        replicator.Tell(Dsl.Update(RoomRegistry.Key, ORSet<string>.Empty, WriteLocal.Instance, s => s.Add(self, "orphan")), TestActor);
        ExpectMsg<UpdateSuccess>();
        Room("orphan").Tell(new CheckRoomExists("orphan"), TestActor);
        Assert.True(ExpectMsg<RoomExistsReply>().Exists);
    }

    [Fact]
    public void Room_should_list_created_rooms_in_the_registry()
    {
        CreatedRoom("listed");
        var replicator = DistributedData.Get(Sys).Replicator;
        replicator.Tell(Dsl.Get(RoomRegistry.Key, ReadLocal.Instance), TestActor);
        var set = ExpectMsg<GetSuccess>().Get(RoomRegistry.Key);
        Assert.Contains("listed", set.Elements);
    }
}
