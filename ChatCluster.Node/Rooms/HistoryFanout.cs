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
        foreach (var connection in members.Positioned()) connection.Transport.Send(bytes);
    }

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
