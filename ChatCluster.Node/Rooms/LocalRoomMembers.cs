using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// A member of a room held on this node, with the time it joined (for rejoin after a room moves). <paramref name="Positions"/>:
/// it opted in to offsets (docs/history.md), so it gets its own bytes (see <see cref="HistoryFanout"/>).
/// <paramref name="SeenBefore"/>: it rejoined from this position of an earlier epoch (see <see cref="HistoryFanout.SeenAlready"/>).
/// <paramref name="Stamp"/>: when its fan-out partition added it, on the partition's own clock (see <see cref="DeliveredSays"/>).
/// </summary>
public readonly record struct LocalMember(LocalConnection Connection, long JoinedAt, bool Positions = false,
    ChatCluster.Messages.RoomProtocol.Position? SeenBefore = null, long Stamp = 0);

/// <summary>
/// One room's members on this node, as the fan-out keeps them: by connection id, plus the same members split by
/// fan-out lane. The split is rebuilt on the first message after a change (joins in a burst cost one rebuild) and
/// is immutable once built, because lanes read it on other threads.
/// </summary>
public sealed class LocalRoomMembers
{
    private readonly Dictionary<string, LocalMember> _byId = new(StringComparer.Ordinal);
    private LocalConnection[][]? _lanes;
    private LocalConnection[]? _all;
    private LocalConnection[]? _positioned;
    private int _positionedCount;

    public int Count => _byId.Count;

    public IEnumerable<KeyValuePair<string, LocalMember>> All => _byId;

    public Dictionary<string, LocalMember>.ValueCollection Values => _byId.Values;

    /// <summary>
    /// Set once the room is written through the lanes; it stays so while this table lives (a room that went back to
    /// writing inline could overtake its own earlier messages still waiting in a lane).
    /// </summary>
    public bool UsesLanes { get; set; }

    /// <summary>Members that opted in to positions: not in <see cref="Connections"/>, written by <see cref="HistoryFanout"/>.</summary>
    public bool HasPositioned => _positionedCount > 0;

    public void Set(string connectionId, LocalMember member)
    {
        if (_byId.TryGetValue(connectionId, out var old) && old.Positions) _positionedCount--;
        _byId[connectionId] = member;
        if (member.Positions) _positionedCount++;
        _lanes = null;
        _all = null;
        _positioned = null;
    }

    public bool Remove(string connectionId)
    {
        if (!_byId.Remove(connectionId, out var member)) return false;
        if (member.Positions) _positionedCount--;
        _lanes = null;
        _all = null;
        _positioned = null;
        return true;
    }

    /// <summary>Every member's connection that takes the room's shared bytes (all but the positioned ones), for writing inline.</summary>
    public LocalConnection[] Connections()
    {
        if (_all is not null) return _all;
        var all = new LocalConnection[_byId.Count - _positionedCount];
        var i = 0;
        foreach (var member in _byId.Values)
            if (!member.Positions) all[i++] = member.Connection;
        return _all = all;
    }

    /// <summary>The members that opted in to positions (each message is encoded once more for them).</summary>
    public LocalConnection[] Positioned()
    {
        if (_positioned is not null) return _positioned;
        var positioned = new LocalConnection[_positionedCount];
        var i = 0;
        foreach (var member in _byId.Values)
            if (member.Positions) positioned[i++] = member.Connection;
        return _positioned = positioned;
    }

    /// <summary>The member with this id, if it is here.</summary>
    public bool TryGet(string connectionId, out LocalMember member) => _byId.TryGetValue(connectionId, out member);

    public LocalConnection[][] Lanes(FanoutLanes lanes)
    {
        return _lanes ??= lanes.Split(Connections());
    }
}
