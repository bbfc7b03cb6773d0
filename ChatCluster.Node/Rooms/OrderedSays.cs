using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The last ticketed say this room actor ordered per sender key, with its delivery: a retry of it (the sender's OK was
/// slow, or lost with a node) gets the same delivery again instead of a second order, so the room's offsets and its
/// history hold each say once. A sender has one say in flight, so one entry per sender is enough; entries older than
/// the window (the sender's retry bound) are forgotten when the table has doubled since the last sweep (amortised
/// O(1) per say, memory follows the room's recent senders). Times are wall-clock ms (the room's <c>At</c>), because the
/// table moves between actors and nodes: a graceful hand-over carries <see cref="Recent"/> to the room's next actor, and
/// after a crash that actor rebuilds it from the stored history (<see cref="Restore"/>), so a retry that reaches it is
/// answered with the delivery it already had, not ordered twice. Pure; not thread-safe (one per room actor).
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

    /// <summary>
    /// Takes the ticketed entries of <paramref name="epoch"/> that are still within the window at <paramref name="nowMs"/>
    /// (from a hand-over, or the stored history after a crash), keeping per sender its newest ticket.
    /// </summary>
    public void Restore(long epoch, IEnumerable<HistoryEntry> entries, long nowMs)
    {
        foreach (var e in entries)
        {
            if (e.Ticket is not { } ticket || nowMs - e.At > _windowMs) continue;
            if (_last.TryGetValue(ticket.Key, out var had) && had.Deliver.Ticket!.Id >= ticket.Id) continue;
            Ordered(new Deliver(epoch, e.Offset, e.Payload, ticket), e.At);
        }
    }

    /// <summary>The entries still within the window at <paramref name="nowMs"/>, as history entries with their tickets (for a hand-over).</summary>
    public List<HistoryEntry> Recent(long nowMs)
    {
        var recent = new List<HistoryEntry>(_last.Count);
        foreach (var (_, e) in _last)
            if (nowMs - e.At <= _windowMs) recent.Add(new HistoryEntry(e.Deliver.Seq, e.Deliver.Payload, e.At, e.Deliver.Ticket));
        return recent;
    }

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
