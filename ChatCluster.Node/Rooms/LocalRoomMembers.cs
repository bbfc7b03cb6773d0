using ChatCluster.Node.Connections;

namespace ChatCluster.Node.Rooms;

/// <summary>A member of a room held on this node, with the time it joined (for rejoin after a room moves).</summary>
public readonly record struct LocalMember(LocalConnection Connection, long JoinedAt);

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

    public int Count => _byId.Count;

    public IEnumerable<KeyValuePair<string, LocalMember>> All => _byId;

    public Dictionary<string, LocalMember>.ValueCollection Values => _byId.Values;

    /// <summary>
    /// Set once the room is written through the lanes; it stays so while this table lives (a room that went back to
    /// writing inline could overtake its own earlier messages still waiting in a lane).
    /// </summary>
    public bool UsesLanes { get; set; }

    public void Set(string connectionId, LocalMember member)
    {
        _byId[connectionId] = member;
        _lanes = null;
        _all = null;
    }

    public bool Remove(string connectionId)
    {
        if (!_byId.Remove(connectionId)) return false;
        _lanes = null;
        _all = null;
        return true;
    }

    /// <summary>Every member's connection, for writing inline.</summary>
    public LocalConnection[] Connections()
    {
        if (_all is not null) return _all;
        var all = new LocalConnection[_byId.Count];
        var i = 0;
        foreach (var member in _byId.Values) all[i++] = member.Connection;
        return _all = all;
    }

    public LocalConnection[][] Lanes(FanoutLanes lanes)
    {
        return _lanes ??= lanes.Split(Connections());
    }
}
