namespace ChatCluster.Node.Connections;

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
    private OrderedAs? _orderedAs; // where the room ordered the say in flight, once this node saw its own copy

    private sealed record OrderedAs(long SayId, ChatCluster.Messages.RoomProtocol.Position At);

    /// <summary>The say <paramref name="sayId"/> is on its way; <paramref name="reply"/> is the client's OK.</summary>
    public void Arm(long sayId, byte[] reply, long nowMs)
    {
        _reply = reply;
        _orderedAs = null;
        Volatile.Write(ref _sentAt, nowMs);
        Volatile.Write(ref _sayId, sayId); // last: a reader that sees the id sees the reply
    }

    /// <summary>
    /// This node delivered say <paramref name="sayId"/> at <paramref name="at"/> and its OK waits for the room's
    /// confirmation: if that never comes (the room's node died), the retry tells the room's next actor where it was.
    /// </summary>
    public void Ordered(long sayId, ChatCluster.Messages.RoomProtocol.Position at) => Volatile.Write(ref _orderedAs, new OrderedAs(sayId, at));

    /// <summary>Where say <paramref name="sayId"/> was seen ordered on this node, or null.</summary>
    public ChatCluster.Messages.RoomProtocol.Position? OrderedAt(long sayId) =>
        Volatile.Read(ref _orderedAs) is { } o && o.SayId == sayId ? o.At : null;

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
