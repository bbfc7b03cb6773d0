using ChatCluster.Messages;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// What a room answers to a client's last position (a join with <c>since</c>, or <c>roomHistory</c> with one): the
/// messages it missed and whether that is all of them. Plain rules, tested by table.
/// <list type="bullet">
/// <item>another epoch: the room's history was lost (crash, or the room was recreated): nothing, not recovered;</item>
/// <item>same epoch, offset ahead of the room: an error (the client made it up, or it is from another room);</item>
/// <item>same epoch: everything after the offset the history still holds; recovered when nothing is missing.</item>
/// </list>
/// </summary>
public static class RoomRecovery
{
    public static string? Check(Position since, long epoch, long top) =>
        since.Offset < 0 ? ChatErrors.PositionOffsetInvalid
        : since.Epoch == epoch && since.Offset > top ? ChatErrors.PositionInFuture(since.Offset, top)
        : null;

    public static (bool Recovered, IReadOnlyList<HistoryEntry> Missed) Recover(RoomHistory? history, Position since, long epoch, long top, long now)
    {
        if (since.Epoch != epoch) return (false, Array.Empty<HistoryEntry>());
        if (history is null) return (since.Offset >= top, Array.Empty<HistoryEntry>());
        return history.Since(since.Offset, top, now);
    }
}
