using Akka.Actor;
using Akka.TestKit.Xunit2;
using ChatCluster.Messages;
using ChatCluster.Node.Rooms;

namespace ChatCluster.Tests.Unit;

/// <summary>Room rules without an actor system (actor refs come from a plain local system).</summary>
public sealed class RoomStateSpec : TestKit
{
    private readonly IActorRef _nodeA;
    private readonly IActorRef _nodeB;

    public RoomStateSpec() : base("akka.loglevel = WARNING")
    {
        _nodeA = CreateTestProbe().Ref;
        _nodeB = CreateTestProbe().Ref;
    }

    private RoomState Created()
    {
        var s = new RoomState("r");
        s.Apply(new RoomEvents.RoomCreated("r", 1, 1));
        return s;
    }

    private RoomState.Member Member(string id, IActorRef node) => new(id, 10, CreateTestProbe().Ref, node);

    [Fact]
    public void Room_should_refuse_everything_but_create_before_it_exists()
    {
        var s = new RoomState("r");
        Assert.Null(s.CanCreate());
        Assert.Equal(ChatErrors.RoomNotExist, s.CanJoin("c"));
        Assert.Equal(ChatErrors.RoomNotExist, s.CanLeave("c"));
        Assert.Equal(ChatErrors.RoomNotExist, s.CanSay());
        Assert.Equal(ChatErrors.RoomNotExist, s.CanDestroy());
    }

    [Fact]
    public void Room_should_refuse_second_create_and_double_join()
    {
        var s = Created();
        Assert.Equal(ChatErrors.RoomExists, s.CanCreate());
        s.Add(Member("c", _nodeA));
        Assert.Equal("connection already in this room (r)", s.CanJoin("c"));
        Assert.Equal("connection not in this room (r)", s.CanLeave("other"));
    }

    [Fact]
    public void Room_should_count_members_per_node_for_fan_out()
    {
        var s = Created();
        s.Add(Member("a1", _nodeA));
        s.Add(Member("a2", _nodeA));
        s.Add(Member("b1", _nodeB));
        Assert.Equal(2, s.Nodes.Count);
        s.Remove("a1");
        Assert.Equal(2, s.Nodes.Count);
        s.Remove("a2");
        Assert.Equal(new[] { _nodeB }, s.Nodes);
        Assert.Null(s.Remove("a2"));
    }

    [Fact]
    public void Room_should_forget_members_when_destroyed_and_number_messages()
    {
        var s = Created();
        s.Add(Member("a1", _nodeA));
        Assert.Equal(1, s.NextSeq());
        Assert.Equal(2, s.NextSeq());
        s.Apply(new RoomEvents.RoomDestroyed("r", 2));
        Assert.False(s.Exists);
        Assert.Equal(0, s.MemberCount);
        Assert.Empty(s.Nodes);
    }

    [Fact]
    public void Room_should_report_status_of_members()
    {
        var s = Created();
        s.Add(Member("a1", _nodeA));
        var status = s.Status();
        Assert.Equal("r", status.Room);
        Assert.Null(status.Error);
        Assert.Equal(new[] { new RoomProtocol.RoomMember("a1", 10) }, status.Members);
    }
}
