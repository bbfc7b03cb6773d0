using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The newest say number delivered on this node per sender and room, so a retried say that was delivered here before is
/// dropped. A sender has one say in flight at a time and a room delivers in the order it ordered, so a sender's numbers
/// in one room reach every node in increasing order and "newest" is all there is to remember. (Per sender alone is not
/// enough: the deliveries of two rooms reach a third node in either order.) Entries only matter while a retry can still come: older ones are forgotten when the table
/// has doubled since the last sweep (memory follows the senders of the last <c>window</c>, amortised O(1) per say).
/// Not thread-safe: one per fan-out partition.
/// </summary>
public sealed class DeliveredSays
{
    private const int MinSweepAt = 1024;

    /// <summary>What <see cref="Accept"/> answers the first time a ticket is seen here.</summary>
    public const long First = -1;

    private readonly Dictionary<(string Sender, string Room), (long Id, long At, long Stamp)> _newest = new();
    private readonly long _windowMs;
    private int _sweepAt = MinSweepAt;

    public DeliveredSays(TimeSpan window) => _windowMs = (long)window.TotalMilliseconds;

    public int Count => _newest.Count;

    /// <summary>
    /// <see cref="First"/> the first time this node sees <paramref name="ticket"/> (remembered with <paramref name="stamp"/>,
    /// the partition's clock now); for a copy (already delivered) the stamp of the delivery before. Members added to the
    /// room after that stamp did not get it here. <paramref name="restamp"/>: a copy that is delivered again to those
    /// members (a say ordered again in a new epoch) moves the stamp to now, so its own copies go to nobody twice.
    /// </summary>
    public long Accept(SayTicket ticket, string room, long nowMs, long stamp, bool restamp = false)
    {
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_newest, (ticket.Key, room), out var existed);
        if (existed && ticket.Id <= entry.Id)
        {
            var before = entry.Stamp;
            if (restamp && ticket.Id == entry.Id) entry.Stamp = stamp;
            return before;
        }
        entry = (ticket.Id, nowMs, stamp);
        if (_newest.Count >= _sweepAt) Sweep(nowMs);
        return First;
    }


    private void Sweep(long nowMs)
    {
        foreach (var (key, entry) in _newest)
            if (nowMs - entry.At > _windowMs) _newest.Remove(key);
        _sweepAt = Math.Max(MinSweepAt, _newest.Count * 2);
    }
}
