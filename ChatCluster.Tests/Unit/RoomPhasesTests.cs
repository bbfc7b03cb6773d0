using ChatCluster.Node.Rooms;

namespace ChatCluster.Tests.Unit;

/// <summary>Every pair of room phases: the legal moves are exactly the ones drawn in <see cref="RoomPhase"/>.</summary>
public sealed class RoomPhasesTests
{
    private static readonly HashSet<(RoomPhase, RoomPhase)> Legal = new()
    {
        (RoomPhase.Recovering, RoomPhase.Resolving),
        (RoomPhase.Resolving, RoomPhase.Rejoining),
        (RoomPhase.Resolving, RoomPhase.Active),
        (RoomPhase.Resolving, RoomPhase.LoadingHistory),
        (RoomPhase.LoadingHistory, RoomPhase.Rejoining),
        (RoomPhase.LoadingHistory, RoomPhase.Active),
        (RoomPhase.Rejoining, RoomPhase.Active),
        (RoomPhase.Active, RoomPhase.Consulting),
        (RoomPhase.Active, RoomPhase.WritingKeys),
        (RoomPhase.Listed, RoomPhase.Consulting),
        (RoomPhase.Listed, RoomPhase.WritingKeys),
        (RoomPhase.Listed, RoomPhase.Active),
        (RoomPhase.Consulting, RoomPhase.Listed),
        (RoomPhase.WritingKeys, RoomPhase.Active),
    };

    public static TheoryData<RoomPhase, RoomPhase, bool> AllPairs()
    {
        var data = new TheoryData<RoomPhase, RoomPhase, bool>();
        foreach (var from in Enum.GetValues<RoomPhase>())
        foreach (var to in Enum.GetValues<RoomPhase>())
            data.Add(from, to, Legal.Contains((from, to)));
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void A_move_should_be_allowed_only_when_drawn(RoomPhase from, RoomPhase to, bool legal)
    {
        Assert.Equal(legal, RoomPhases.CanMove(from, to));
        if (legal)
        {
            Assert.Equal(to, RoomPhases.Move("r", from, to));
            return;
        }
        var e = Assert.Throws<InvalidOperationException>(() => RoomPhases.Move("r", from, to));
        Assert.Equal($"room r: illegal phase change {from} -> {to}", e.Message);
    }
}
