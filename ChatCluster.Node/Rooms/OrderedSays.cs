using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The last ticketed say this room actor ordered per sender key, with its delivery: a retry of it (the sender's OK was
/// slow, or lost with a node) gets the same delivery again instead of a second order, so the room's offsets and its
/// history hold each say once. A sender has one say in flight, so one entry per sender is enough; entries older than
/// the window (the sender's retry bound) are forgotten when the table has doubled since the last sweep (amortised
/// O(1) per say, memory follows the room's recent senders). Pure; not thread-safe (one per room actor).
/// </summary>
public sealed class OrderedSays
{
    private const int MinSweepAt = 64;

    private readonly Dictionary<string, (Deliver Deliver, long At)> _last = new(StringComparer.Ordinal);
    private readonly long _windowMs;
    private int _sweepAt = MinSweepAt;

    public OrderedSays(TimeSpan window) => _windowMs = (long)window.TotalMilliseconds;

    public int Count => _last.Count;

    /// <summary>The delivery of exactly this ticket if this room ordered it (a retry), else null.</summary>
    public Deliver? Find(SayTicket ticket) =>
        _last.TryGetValue(ticket.Key, out var e) && e.Deliver.Ticket!.Id == ticket.Id ? e.Deliver : null;

    /// <summary>Remembers <paramref name="deliver"/> (which carries the ticket) as its sender's last ordered say.</summary>
    public void Ordered(Deliver deliver, long nowMs)
    {
        _last[deliver.Ticket!.Key] = (deliver, nowMs);
        if (_last.Count < _sweepAt) return;
        foreach (var (key, e) in _last)
            if (nowMs - e.At > _windowMs) _last.Remove(key);
        _sweepAt = Math.Max(MinSweepAt, _last.Count * 2);
    }
}
