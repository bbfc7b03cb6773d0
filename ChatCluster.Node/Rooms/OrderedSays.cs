using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The last ticketed say a room ordered per sender key, with its delivery, and, while members on other nodes than the
/// sender's have not confirmed it yet, the nodes it waits for (a partition that begins just after the room ordered a
/// say would otherwise leave the sender with an OK and those members without the message).
/// <code>
///   ordered, pending  --every waited-for node confirmed, or no longer holds members--> ordered (the sender's node writes the OK)
///   ordered, pending  --older than the sender's retry bound--> ordered (its sender was answered by its own node)
///   ordered           --older than the window, once the table has doubled since the last sweep--> forgotten
/// </code>
/// A retry of the say (its OK was slow, or lost with a node) finds it here and gets the same delivery again instead of
/// a second order, so the room's offsets and its history hold each say once. A sender has one say in flight, so one
/// entry per sender is enough (a newer say replaces the older; memory follows the room's recent senders).
/// Times are wall-clock ms (the room's <c>At</c>), because the table moves between actors and nodes: a graceful
/// hand-over carries <see cref="Recent"/> to the room's next actor, and after a crash that actor rebuilds it from the
/// stored history (<see cref="Restore"/>). Pure: nodes are any key (actor refs in the room, strings in the tests).
/// Not thread-safe (one per room actor).
/// </summary>
public sealed class OrderedSays<TNode> where TNode : notnull
{
    private const int MinSweepAt = 64;

    private readonly Dictionary<string, Entry> _bySender = new(StringComparer.Ordinal);
    private readonly long _windowMs;
    private int _sweepAt = MinSweepAt;

    public OrderedSays(TimeSpan window) => _windowMs = (long)window.TotalMilliseconds;

    public sealed class Entry
    {
        internal Entry(Deliver deliver, long at, HashSet<TNode>? remaining, TNode? senderNode)
        {
            Deliver = deliver;
            At = at;
            Remaining = remaining;
            SenderNode = senderNode;
        }

        public Deliver Deliver { get; }

        /// <summary>When it was ordered (wall-clock ms).</summary>
        public long At { get; }

        /// <summary>The nodes that have not confirmed it; null once nothing is awaited.</summary>
        public HashSet<TNode>? Remaining { get; internal set; }

        /// <summary>The node of its sender, to tell when the last confirmation comes (null for an entry restored from elsewhere).</summary>
        public TNode? SenderNode { get; }

        public bool Pending => Remaining is not null;

        public SayTicket Ticket => Deliver.Ticket!;
    }

    /// <summary>Senders with a say remembered.</summary>
    public int Count => _bySender.Count;

    /// <summary>Says still waiting for confirmations.</summary>
    public int PendingCount { get; private set; }

    /// <summary>
    /// The nodes that must confirm a say from <paramref name="senderNode"/>: every node with members but the sender's,
    /// or null when there is none (then the sender's node acknowledges on arrival, as without confirmations).
    /// </summary>
    public static HashSet<TNode>? NodesToWaitFor(IEnumerable<TNode> memberNodes, TNode senderNode)
    {
        HashSet<TNode>? wait = null;
        foreach (var node in memberNodes)
            if (!EqualityComparer<TNode>.Default.Equals(node, senderNode)) (wait ??= new HashSet<TNode>()).Add(node);
        return wait;
    }

    /// <summary>The entry of exactly this ticket if this room ordered it (a retry), else null.</summary>
    public Entry? Find(SayTicket ticket) =>
        _bySender.TryGetValue(ticket.Key, out var e) && e.Ticket.Id == ticket.Id ? e : null;

    /// <summary>
    /// Remembers <paramref name="deliver"/> (which carries the ticket) as its sender's last ordered say; with
    /// <paramref name="waitFor"/>, pending until those nodes confirm it (then <paramref name="senderNode"/> is told).
    /// </summary>
    public void Ordered(Deliver deliver, long nowMs, HashSet<TNode>? waitFor = null, TNode? senderNode = default)
    {
        if (_bySender.TryGetValue(deliver.Ticket!.Key, out var old) && old.Pending) PendingCount--;
        _bySender[deliver.Ticket.Key] = new Entry(deliver, nowMs, waitFor is { Count: > 0 } ? waitFor : null, senderNode);
        if (waitFor is { Count: > 0 }) PendingCount++;
        if (_bySender.Count >= _sweepAt) Sweep(nowMs);
    }

    /// <summary>
    /// <paramref name="node"/> has the say. Returns its entry when that was the last node it waited for (it is then no
    /// longer pending); null otherwise (more to come, an unknown say or node, or a confirmation already counted).
    /// </summary>
    public Entry? Confirm(SayTicket ticket, TNode node)
    {
        if (Find(ticket) is not { Remaining: { } remaining } e || !remaining.Remove(node) || remaining.Count > 0) return null;
        Settle(e);
        return e;
    }

    /// <summary>
    /// Members left or their node went away: a node that no longer holds members has nothing to confirm. Returns the
    /// says that waited only for such nodes (no longer pending).
    /// </summary>
    public List<Entry> Retain(Func<TNode, bool> holdsMembers)
    {
        var done = new List<Entry>(0);
        if (PendingCount == 0) return done;
        foreach (var e in _bySender.Values)
        {
            if (e.Remaining is not { } remaining) continue;
            remaining.RemoveWhere(n => !holdsMembers(n));
            if (remaining.Count > 0) continue;
            Settle(e);
            done.Add(e);
        }
        return done;
    }

    /// <summary>
    /// Stops waiting for says ordered at least <paramref name="maxAgeMs"/> ago (their senders have given up and were
    /// refused); returns how many. They stay remembered as ordered: a late retry is still not ordered again.
    /// </summary>
    public int Expire(long nowMs, long maxAgeMs)
    {
        var expired = 0;
        if (PendingCount == 0) return expired;
        foreach (var e in _bySender.Values)
        {
            if (!e.Pending || nowMs - e.At < maxAgeMs) continue;
            Settle(e);
            expired++;
        }
        return expired;
    }

    /// <summary>
    /// Takes the ticketed entries of <paramref name="epoch"/> that are still within the window at <paramref name="nowMs"/>
    /// (from a hand-over, or the stored history after a crash), keeping per sender its newest ticket. Restored entries
    /// wait for nothing: their confirmations were the previous actor's.
    /// </summary>
    public void Restore(long epoch, IEnumerable<HistoryEntry> entries, long nowMs)
    {
        foreach (var e in entries)
        {
            if (e.Ticket is not { } ticket || nowMs - e.At > _windowMs) continue;
            if (_bySender.TryGetValue(ticket.Key, out var had) && had.Ticket.Id >= ticket.Id) continue;
            Ordered(new Deliver(epoch, e.Offset, e.Payload, ticket), e.At);
        }
    }

    /// <summary>The entries still within the window at <paramref name="nowMs"/>, as history entries with their tickets (for a hand-over).</summary>
    public List<HistoryEntry> Recent(long nowMs)
    {
        var recent = new List<HistoryEntry>(_bySender.Count);
        foreach (var e in _bySender.Values)
            if (nowMs - e.At <= _windowMs) recent.Add(new HistoryEntry(e.Deliver.Seq, e.Deliver.Payload, e.At, e.Ticket));
        return recent;
    }

    private void Settle(Entry e)
    {
        e.Remaining = null;
        PendingCount--;
    }

    // Amortised O(1) per say: entries past the window go when the table has doubled since the last sweep. A pending
    // entry stays until Expire settles it (its sender's node still waits for the confirmation).
    private void Sweep(long nowMs)
    {
        foreach (var (key, e) in _bySender)
            if (!e.Pending && nowMs - e.At > _windowMs) _bySender.Remove(key);
        _sweepAt = Math.Max(MinSweepAt, _bySender.Count * 2);
    }
}
