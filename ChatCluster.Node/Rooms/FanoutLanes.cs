using ChatCluster.Node.Core;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The node's fan-out lanes (<c>chatcluster.fanout-lanes</c>, one per core by default), shared by every fan-out
/// partition. A connection's lane is fixed by its id, so all its chat — from every room — is written by one lane in
/// the order the rooms handed it over.
/// </summary>
public sealed class FanoutLanes
{
    private readonly FanoutLane[] _lanes;

    public FanoutLanes(int count, int inlineMaxMembers = 32)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one lane");
        InlineMaxMembers = inlineMaxMembers;
        _lanes = new FanoutLane[count];
        for (var i = 0; i < count; i++) _lanes[i] = new FanoutLane();
    }

    public int Count => _lanes.Length;

    /// <summary>Rooms with at most this many members on this node are written by their fan-out partition itself.</summary>
    public int InlineMaxMembers { get; }

    public int LaneOf(string connectionId) => (int)((uint)StringComparer.Ordinal.GetHashCode(connectionId) % (uint)_lanes.Length);

    /// <summary>Members split by lane, each lane in the members' order; empty lanes get an empty array.</summary>
    public LocalConnection[][] Split(IReadOnlyList<LocalConnection> members)
    {
        var lanes = new int[members.Count];
        var counts = new int[_lanes.Length];
        for (var i = 0; i < lanes.Length; i++) counts[lanes[i] = LaneOf(members[i].Id)]++;
        var split = new LocalConnection[_lanes.Length][];
        for (var l = 0; l < split.Length; l++) split[l] = counts[l] == 0 ? Array.Empty<LocalConnection>() : new LocalConnection[counts[l]];
        var fill = new int[_lanes.Length];
        for (var i = 0; i < lanes.Length; i++) split[lanes[i]][fill[lanes[i]]++] = members[i];
        return split;
    }

    /// <summary>Hand one message to every lane that has members of the room.</summary>
    public void Post(LocalConnection[][] split, ReadOnlyMemory<byte> bytes)
    {
        for (var l = 0; l < split.Length; l++)
            if (split[l].Length > 0) _lanes[l].Post(new LaneWork(split[l], bytes));
    }
}
