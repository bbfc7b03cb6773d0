using ChatCluster.Transports;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The node fan-out's part for members that opted in to positions (docs/history.md). They are not among the room's
/// shared-bytes members (<see cref="LocalRoomMembers.Connections"/>), so the fan-out calls in here only when the room
/// has some on this node: each message is encoded once more, with its offset and epoch, and written to them inline by
/// the fan-out partition, which also writes their replays; so a replay always comes before the room's later messages.
/// </summary>
public static class HistoryFanout
{
    public static void Deliver(LocalRoomMembers members, Deliver m)
    {
        var bytes = ChatPayloadEncoder.EncodePositioned(m.Payload, m.Seq, m.Epoch);
        if (m.Prior is null)
        {
            foreach (var connection in members.Positioned()) connection.Transport.Send(bytes);
            return;
        }
        // A say ordered again after its room's actor crashed: not to a member that saw it in the earlier epoch.
        foreach (var member in members.Values)
            if (member.Positions && !SeenAlready(member.SeenBefore, m.Prior)) member.Connection.Transport.Send(bytes);
    }

    /// <summary>
    /// Whether a member that rejoined from <paramref name="seenBefore"/> (a position of an earlier epoch) has the say
    /// that was ordered at <paramref name="prior"/> already: same epoch, at or before its position. Such a member sees
    /// the say's new offset skipped (docs/history.md, "No duplicate after a crash").
    /// </summary>
    public static bool SeenAlready(Position? seenBefore, Position? prior) =>
        seenBefore is not null && prior is not null && seenBefore.Epoch == prior.Epoch && seenBefore.Offset >= prior.Offset;

    /// <summary>
    /// What a rejoining member missed, in order, to that member only; then the join's answer goes on to the connection,
    /// which writes it behind them (a member gone already gets nothing; its join is answered all the same).
    /// </summary>
    public static void Replay(LocalRoomMembers? members, Replay m)
    {
        if (members is not null && members.TryGet(m.ConnectionId, out var member))
            foreach (var entry in m.Entries)
                member.Connection.Transport.Send(ChatPayloadEncoder.EncodePositioned(entry.Payload, entry.Offset, m.Epoch));
        if (m.Reply is not null) m.ReplyTo?.Tell(m.Reply, Akka.Actor.ActorRefs.NoSender);
    }
}
