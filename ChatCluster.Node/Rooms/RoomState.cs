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

    /// <summary>
    /// After recovery: the replicated registry's answer (<paramref name="listed"/>; null when it could not be read from
    /// a majority) against the journal. Listed without journal state: the room moved, recreate it. Unlisted but in the
    /// journal: destroyed elsewhere after this journal last saw it, unless the journal is shared (then the journal is
    /// the truth and the registry only lags).
    /// </summary>
    public RoomExistence Resolve(bool? listed, bool journalIsShared) => listed switch
    {
        true when !Exists => RoomExistence.Create,
        false when Exists && !journalIsShared => RoomExistence.Destroy,
        _ => RoomExistence.Keep,
    };

    /// <summary>
    /// The shared store's answer (ActionHero's rooms SET; null when it cannot answer) against the journal: the store is
    /// the truth in a mixed cluster (ActionHero nodes create and destroy there); unknown keeps what the journal says.
    /// </summary>
    public RoomExistence Reconcile(bool? listedInStore) => listedInStore switch
    {
        true when !Exists => RoomExistence.Create,
        false when Exists => RoomExistence.Destroy,
        _ => RoomExistence.Keep,
    };

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
