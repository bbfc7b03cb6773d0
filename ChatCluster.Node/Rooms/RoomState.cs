using Akka.Actor;
using ChatCluster.Messages;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// A room's rules as plain code, tested without an ActorSystem: existence, members, the nodes that hold
/// members (fan-out targets, with a member count each) and the per-room sequence.
/// Every decision returns null (accepted) or the catalogue text of the refusal.
/// </summary>
public sealed class RoomState
{
    private readonly Dictionary<string, Member> _members = new();
    private readonly Dictionary<IActorRef, int> _nodes = new();

    public RoomState(string room) => Room = room;

    public sealed record Member(string ConnectionId, long JoinedAt, IActorRef Connection, IActorRef NodeFanout);

    public string Room { get; }

    public bool Exists { get; private set; }

    public long CreatedAt { get; private set; }

    /// <summary>Sequence number of the last message said in this incarnation.</summary>
    public long Seq { get; private set; }

    public int MemberCount => _members.Count;

    public IReadOnlyCollection<Member> Members => _members.Values;

    /// <summary>The fan-out actors of the nodes with at least one member.</summary>
    public IReadOnlyCollection<IActorRef> Nodes => _nodes.Keys;

    /// <summary>Whether <paramref name="nodeFanout"/> already gets every message (it holds a member).</summary>
    public bool HasNode(IActorRef nodeFanout) => _nodes.ContainsKey(nodeFanout);

    public void Apply(RoomEvents.RoomCreated e)
    {
        Exists = true;
        CreatedAt = e.CreatedAt;
    }

    public void Apply(RoomEvents.RoomDestroyed _)
    {
        Exists = false;
        _members.Clear();
        _nodes.Clear();
    }

    public string? CanCreate() => Exists ? ChatErrors.RoomExists : null;

    public string? CanDestroy() => Exists ? null : ChatErrors.RoomNotExist;

    public string? CanJoin(string connectionId) =>
        !Exists ? ChatErrors.RoomNotExist
        : _members.ContainsKey(connectionId) ? ChatErrors.AlreadyInRoom(Room)
        : null;

    public string? CanLeave(string connectionId) =>
        !Exists ? ChatErrors.RoomNotExist
        : !_members.ContainsKey(connectionId) ? ChatErrors.NotInRoom(Room)
        : null;

    public string? CanSay() => Exists ? null : ChatErrors.RoomNotExist;

    public void Add(Member member)
    {
        _members.Add(member.ConnectionId, member);
        _nodes[member.NodeFanout] = _nodes.GetValueOrDefault(member.NodeFanout) + 1;
    }

    public Member? Remove(string connectionId)
    {
        if (!_members.Remove(connectionId, out var member)) return null;
        var left = _nodes[member.NodeFanout] - 1;
        if (left == 0) _nodes.Remove(member.NodeFanout);
        else _nodes[member.NodeFanout] = left;
        return member;
    }

    /// <summary>Members whose connection actor is <paramref name="connection"/> (a terminated connection).</summary>
    public List<Member> MembersOf(IActorRef connection)
    {
        var found = new List<Member>(1);
        foreach (var m in _members.Values)
            if (m.Connection.Equals(connection)) found.Add(m);
        return found;
    }

    public long NextSeq() => ++Seq;

    /// <summary>Continue the sequence of the room's previous actor (a graceful hand-over of its history).</summary>
    public void ContinueFrom(long seq) => Seq = seq;

    public RoomProtocol.RoomStatusReply Status()
    {
        var members = new RoomProtocol.RoomMember[_members.Count];
        var i = 0;
        foreach (var m in _members.Values) members[i++] = new RoomProtocol.RoomMember(m.ConnectionId, m.JoinedAt);
        return new RoomProtocol.RoomStatusReply(Room, members, null);
    }
}
