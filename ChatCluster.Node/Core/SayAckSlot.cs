namespace ChatCluster.Node.Core;

/// <summary>
/// The one say a connection has in flight, as the threads around it see it: the connection actor arms it, the fan-out
/// partition that receives the room's delivery takes the reply from it (and writes it just before the message), the
/// retry sweeper reads when it was last sent. Taking is a compare-and-swap on the say's id, so exactly one of "ordered"
/// (the fan-out) and "gave up" (the connection) answers the client.
/// </summary>
public sealed class SayAckSlot
{
    private long _sayId; // 0: nothing in flight
    private byte[]? _reply;
    private long _sentAt;
    // The room's delivery of the say in flight, once this node saw its own copy (where it was ordered). The delivery
    // itself is kept, not a copy of its position: no allocation on the say path.
    private ChatCluster.Messages.RoomProtocol.Deliver? _delivered;

    /// <summary>The say <paramref name="sayId"/> is on its way; <paramref name="reply"/> is the client's OK.</summary>
    public void Arm(long sayId, byte[] reply, long nowMs)
    {
        _reply = reply;
        _delivered = null;
        Volatile.Write(ref _sentAt, nowMs);
        Volatile.Write(ref _sayId, sayId); // last: a reader that sees the id sees the reply
    }

    /// <summary>
    /// This node delivered the say of <paramref name="delivered"/>'s ticket and its OK waits for the room's
    /// confirmation: if that never comes (the room's node died), the retry tells the room's next actor where it was.
    /// </summary>
    public void Ordered(ChatCluster.Messages.RoomProtocol.Deliver delivered) => Volatile.Write(ref _delivered, delivered);

    /// <summary>Where say <paramref name="sayId"/> was seen ordered on this node, or null.</summary>
    public ChatCluster.Messages.RoomProtocol.Position? OrderedAt(long sayId) =>
        Volatile.Read(ref _delivered) is { Ticket: { } t } d && t.Id == sayId ? new ChatCluster.Messages.RoomProtocol.Position(d.Epoch, d.Seq) : null;

    /// <summary>The say was sent again (a retry).</summary>
    public void Resent(long nowMs) => Volatile.Write(ref _sentAt, nowMs);

    /// <summary>The OK for <paramref name="sayId"/> if it is still in flight (then no longer), else null.</summary>
    public byte[]? TryTake(long sayId)
    {
        if (sayId == 0 || Interlocked.CompareExchange(ref _sayId, 0, sayId) != sayId) return null;
        var reply = _reply;
        _reply = null;
        return reply;
    }

    /// <summary>Whether a say is in flight and was last sent at least <paramref name="intervalMs"/> ago.</summary>
    public bool IsOverdue(long nowMs, long intervalMs) => Volatile.Read(ref _sayId) != 0 && nowMs - Volatile.Read(ref _sentAt) >= intervalMs;
}
