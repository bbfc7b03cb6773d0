using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// A room's says that were ordered but not yet acknowledged, because nodes other than the sender's hold members that
/// must have the message first (a partition that begins just after the room ordered a say would otherwise leave the
/// sender with an OK and those members without the message). Per say: its delivery (sent again, unchanged, when the
/// sender retries), the nodes that have not confirmed it, the sender's node and when it was ordered.
/// <code>
///   ordered --every waited-for node confirmed, or no longer holds members--> confirmed (the sender's node writes the OK)
///   ordered --older than the sender's retry bound--> forgotten (the sender has answered its client itself)
/// </code>
/// One entry per sender key: a connection has one say in flight, so a newer say replaces the older one (bounded by
/// the room's senders). Pure: nodes are any key (actor refs in the room, strings in the tests). Not thread-safe.
/// </summary>
public sealed class SayConfirmations<TNode> where TNode : notnull
{
    private readonly Dictionary<string, Pending> _bySender = new(StringComparer.Ordinal);

    public sealed class Pending
    {
        internal Pending(Deliver deliver, HashSet<TNode> remaining, TNode senderNode, long orderedAt)
        {
            Deliver = deliver;
            Remaining = remaining;
            SenderNode = senderNode;
            OrderedAt = orderedAt;
        }

        public Deliver Deliver { get; }

        public HashSet<TNode> Remaining { get; }

        public TNode SenderNode { get; }

        public long OrderedAt { get; }

        public SayTicket Ticket => Deliver.Ticket!;
    }

    public int Count => _bySender.Count;

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

    /// <summary>Waits for <paramref name="remaining"/> to confirm <paramref name="deliver"/> (which carries the ticket).</summary>
    public void Add(Deliver deliver, HashSet<TNode> remaining, TNode senderNode, long nowMs) =>
        _bySender[deliver.Ticket!.Key] = new Pending(deliver, remaining, senderNode, nowMs);

    /// <summary>The pending say with exactly this ticket (a retry of it), or null.</summary>
    public Pending? Find(SayTicket ticket) =>
        _bySender.TryGetValue(ticket.Key, out var p) && p.Ticket.Id == ticket.Id ? p : null;

    /// <summary>
    /// <paramref name="node"/> has the say. Returns the say when that was the last node it waited for (it is then no
    /// longer pending); null otherwise (more to come, an unknown say or node, or a confirmation already counted).
    /// </summary>
    public Pending? Confirm(SayTicket ticket, TNode node)
    {
        if (Find(ticket) is not { } p || !p.Remaining.Remove(node) || p.Remaining.Count > 0) return null;
        _bySender.Remove(ticket.Key);
        return p;
    }

    /// <summary>
    /// Members left or their node went away: a node that no longer holds members has nothing to confirm. Returns the
    /// says that waited only for such nodes (no longer pending).
    /// </summary>
    public List<Pending> Retain(Func<TNode, bool> holdsMembers)
    {
        List<Pending>? done = null;
        foreach (var (key, p) in _bySender)
        {
            p.Remaining.RemoveWhere(n => !holdsMembers(n));
            if (p.Remaining.Count > 0) continue;
            (done ??= new List<Pending>()).Add(p);
            _bySender.Remove(key);
        }
        return done ?? new List<Pending>(0);
    }

    /// <summary>Forgets says ordered at least <paramref name="maxAgeMs"/> ago (their senders have given up); returns how many.</summary>
    public int Expire(long nowMs, long maxAgeMs)
    {
        var removed = 0;
        foreach (var (key, p) in _bySender)
        {
            if (nowMs - p.OrderedAt < maxAgeMs) continue;
            _bySender.Remove(key);
            removed++;
        }
        return removed;
    }
}
