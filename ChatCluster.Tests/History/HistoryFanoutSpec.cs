using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.History;

/// <summary>
/// A say ordered again in a new epoch (its room's actor crashed before the sender's OK; the retry says where it was
/// ordered before) is not written to a member that rejoined from at or after that position: it saw it already.
/// </summary>
public sealed class HistoryFanoutSpec
{
    // name, member's rejoin position in the earlier epoch (null: none), the say's earlier position (null: a first order), seen already
    public static TheoryData<string, Position?, Position?, bool> Cases => new()
    {
        { "rejoined after the say: has it", new Position(7, 12), new Position(7, 10), true },
        { "rejoined exactly at the say: has it", new Position(7, 10), new Position(7, 10), true },
        { "rejoined before the say: missed it, gets it", new Position(7, 9), new Position(7, 10), false },
        { "rejoined from another epoch: gets it", new Position(6, 50), new Position(7, 10), false },
        { "joined without a position of an earlier epoch: gets it", null, new Position(7, 10), false },
        { "a say ordered for the first time: everyone gets it", new Position(7, 12), null, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_member_should_be_spared_a_say_it_saw_in_the_earlier_epoch(string name, Position? seenBefore, Position? prior, bool seen) =>
        Assert.True(seen == HistoryFanout.SeenAlready(seenBefore, prior), name);
}
