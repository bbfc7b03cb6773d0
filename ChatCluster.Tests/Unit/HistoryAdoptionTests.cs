using ChatCluster.Node.Rooms;
using Step = ChatCluster.Node.Rooms.HistoryAdoption.Step;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// Whether a room's new actor takes the history its previous actor handed over, as a table: what this actor is (keeps
/// a history, ordered a say, adopted a hand-over before; its epoch and offset) against the hand-over's epoch and offset.
/// The hand-over is at offset 10 of epoch 7 in every case.
/// </summary>
public sealed class HistoryAdoptionTests
{
    private const long Handed = 7;
    private const long HandedSeq = 10;
    private const long Other = 3;

    public static TheoryData<string, bool, bool, bool, long, long, Step> Cases => new()
    {
        // name, keeps history, ordered a say here, adopted a hand-over before, this actor's epoch, its offset, step
        { "a room without history adopts nothing", false, false, false, Other, 0, Step.Off },
        { "a room without history adopts nothing, even of its own epoch", false, false, false, Handed, HandedSeq, Step.Off },
        { "after a say of its own in a new epoch the hand-over is not adopted (warned: clients see the epoch change)", true, true, false, Other, 1, Step.EpochOut },
        { "after a say in the hand-over's epoch, adopted before, the late copy is ignored", true, true, true, Handed, HandedSeq + 1, Step.AlreadyContinued },
        { "after a say in the epoch it resumed from the store, a hand-over of that epoch is ignored", true, true, false, Handed, HandedSeq + 1, Step.AlreadyContinued },
        { "a hand-over behind what was resumed of the same epoch is stale", true, false, false, Handed, HandedSeq + 1, Step.Stale },
        { "a hand-over behind the one adopted before is stale", true, false, true, Handed, HandedSeq + 5, Step.Stale },
        { "the second copy of the hand-over adopted already is ignored", true, false, true, Handed, HandedSeq, Step.SecondCopy },
        { "a fresh actor takes a hand-over in a new epoch: the store starts over with it", true, false, false, Other, 0, Step.AdoptNewEpoch },
        { "a hand-over of another epoch than the one resumed from the store is adopted, even at a lower offset: the store starts over", true, false, false, Other, 20, Step.AdoptNewEpoch },
        { "a hand-over of the epoch it resumed at the same offset is adopted: the store has it already", true, false, false, Handed, HandedSeq, Step.AdoptSameEpoch },
        { "a hand-over ahead of what was resumed of its epoch is adopted (the store missed the last writes)", true, false, false, Handed, HandedSeq - 2, Step.AdoptSameEpoch },
        { "a newer hand-over of the epoch adopted before is adopted again", true, false, true, Handed, HandedSeq - 2, Step.AdoptSameEpoch },
        { "a hand-over of another epoch after one adopted before replaces it", true, false, true, Other, HandedSeq, Step.AdoptNewEpoch },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_should_adopt_only_a_hand_over_that_continues_this_actor(string name, bool keepsHistory, bool orderedHere,
        bool handedOverBefore, long epoch, long seq, Step expected)
    {
        var step = HistoryAdoption.Decide(keepsHistory, orderedHere, handedOverBefore, epoch, seq, Handed, HandedSeq);
        Assert.True(expected == step, $"{name}: {step}");
    }
}
