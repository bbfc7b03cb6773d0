using Akka.Actor;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The room actor's answers that read its history: a join with positions (and a replay of what the member missed)
/// and <c>roomHistory</c>. Kept out of <see cref="RoomActor"/> so the actor only calls in; the decisions are
/// <see cref="RoomRecovery"/> and <see cref="RoomHistory"/>, tested by table.
/// </summary>
public static class RoomHistoryReads
{
    /// <summary>
    /// The member was just added; answer its join with the room's position. With a position to recover from, what it
    /// missed goes to its node as <see cref="Replay"/> chunks (before any later message of the room, which the room has
    /// not ordered yet); the last carries the answer: the node writes the replay, then hands the answer on, so the
    /// client reads the missed messages before the reply.
    /// </summary>
    public static void Join(RoomState state, RoomHistory? history, long epoch, JoinRoom m, long now, int maxChunkBytes, IActorRef replyTo)
    {
        if (m.Since is not { } since)
        {
            replyTo.Tell(new PositionReply(state.Room, epoch, state.Seq, null, 0));
            return;
        }
        var (recovered, missed) = RoomRecovery.Recover(history, since, epoch, state.Seq, now);
        var reply = new PositionReply(state.Room, epoch, state.Seq, recovered, missed.Count);
        var chunks = HistoryChunks.Split(missed, maxChunkBytes);
        for (var i = 0; i < chunks.Count; i++)
        {
            var last = i == chunks.Count - 1;
            m.NodeFanout.Tell(new Replay(state.Room, m.ConnectionId, epoch, chunks[i], last ? reply : null, last ? replyTo : null));
        }
    }

    /// <summary>
    /// Members only (the server API reads any existing room). Without a position: the last <c>Limit</c> messages. With
    /// one: the first <c>Limit</c> after it, and whether the history holds every message after it. Either is cut to
    /// <paramref name="maxChunkBytes"/>; a client pages on from the last offset it got.
    /// </summary>
    public static HistoryReply Read(RoomState state, RoomHistory? history, long epoch, ReadHistory m, long now, int maxChunkBytes)
    {
        var refusal = m.ConnectionId == ReadHistory.Server ? state.CanSay() : state.CanLeave(m.ConnectionId); // exists / is a member
        if (refusal is not null) return Refused(state, epoch, refusal);
        if (m.Since is not { } since)
        {
            var last = history?.Last(m.Limit, now) ?? Array.Empty<HistoryEntry>();
            return new HistoryReply(state.Room, epoch, state.Seq, HistoryChunks.Fit(last, maxChunkBytes, newest: true), null, null);
        }
        if (RoomRecovery.Check(since, epoch, state.Seq) is { } bad) return Refused(state, epoch, bad);
        var (recovered, missed) = RoomRecovery.Recover(history, since, epoch, state.Seq, now);
        var page = missed.Count <= m.Limit ? missed : missed.Take(m.Limit).ToArray();
        return new HistoryReply(state.Room, epoch, state.Seq, HistoryChunks.Fit(page, maxChunkBytes, newest: false), recovered, null);
    }

    private static HistoryReply Refused(RoomState state, long epoch, string error) =>
        new(state.Room, epoch, state.Seq, Array.Empty<HistoryEntry>(), null, error);

}
