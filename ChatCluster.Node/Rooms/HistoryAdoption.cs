namespace ChatCluster.Node.Rooms;

/// <summary>
/// Whether a room's new actor takes the history its previous actor handed over (<c>HistoryHandOver</c>, graceful
/// hand-over): same epoch and offsets, so clients recover across the move. Plain rule, tested by table
/// (<c>HistoryAdoptionTests</c>); the <see cref="RoomActor"/> carries out the step. First match wins:
/// <list type="number">
/// <item>the room keeps no history: <see cref="Step.Off"/>;</item>
/// <item>this actor ordered a say of its own: its epoch is out (clients saw it), so nothing is adopted. The parked
/// hand-over is answered before the room orders anything (finding 3 of docs/reliability.md), so this is the late copy,
/// or the previous node could not be asked. <see cref="Step.EpochOut"/> when the hand-over is of another epoch (worth a
/// warning: clients see the epoch change, recovered:false); <see cref="Step.AlreadyContinued"/> when this actor already
/// orders in the hand-over's epoch (it adopted or resumed it before its first say);</item>
/// <item>behind what this actor holds of the same epoch: <see cref="Step.Stale"/>;</item>
/// <item>the same epoch and offset as the hand-over adopted before: <see cref="Step.SecondCopy"/> (two copies are sent,
/// see <see cref="RoomHandOff.SendHistory"/>);</item>
/// <item>otherwise adopted, replacing what was resumed from a durable store (the live previous actor may be newer, its
/// last writes still in flight): <see cref="Step.AdoptSameEpoch"/> or <see cref="Step.AdoptNewEpoch"/>.</item>
/// </list>
/// </summary>
public static class HistoryAdoption
{
    /// <summary>What the actor does with the hand-over.</summary>
    public enum Step
    {
        /// <summary>No history here: nothing to adopt.</summary>
        Off,

        /// <summary>Not adopted: this actor ordered a say in its own, other epoch first; warn.</summary>
        EpochOut,

        /// <summary>Not adopted: this actor already orders in the hand-over's epoch (adopted or resumed before its first say); quietly ignored.</summary>
        AlreadyContinued,

        /// <summary>Ignored: older than what this actor holds of the same epoch.</summary>
        Stale,

        /// <summary>Ignored: the copy of the hand-over adopted already.</summary>
        SecondCopy,

        /// <summary>Adopted; the store has this epoch already (the previous actor wrote it), so it is not written again.</summary>
        AdoptSameEpoch,

        /// <summary>Adopted; the store holds another epoch (or nothing), so it restarts with the handed-over entries.</summary>
        AdoptNewEpoch,
    }

    /// <param name="keepsHistory">The room keeps a history (<c>chatcluster.history</c>).</param>
    /// <param name="orderedHere">This actor has ordered a say itself.</param>
    /// <param name="handedOverBefore">This actor adopted a hand-over already.</param>
    /// <param name="epoch">This actor's epoch.</param>
    /// <param name="seq">This actor's last offset.</param>
    /// <param name="handedEpoch">The hand-over's epoch.</param>
    /// <param name="handedSeq">The hand-over's last offset.</param>
    public static Step Decide(bool keepsHistory, bool orderedHere, bool handedOverBefore, long epoch, long seq, long handedEpoch, long handedSeq)
    {
        if (!keepsHistory) return Step.Off;
        var sameEpoch = epoch == handedEpoch;
        if (orderedHere) return sameEpoch ? Step.AlreadyContinued : Step.EpochOut;
        if (sameEpoch && seq > handedSeq) return Step.Stale;
        if (handedOverBefore && sameEpoch && seq == handedSeq) return Step.SecondCopy;
        return sameEpoch ? Step.AdoptSameEpoch : Step.AdoptNewEpoch;
    }
}
