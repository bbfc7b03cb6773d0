namespace ChatCluster.Bench.Faults;

/// <summary>A message a reader should have seen and did not, with the join whose recovery answered for it (null: none).</summary>
public sealed record MissedMessage(SayRecord Say, JoinRecord? Cover)
{
    /// <summary>"true", "false" or "otherwise" (no later join, or a join without since).</summary>
    public string Under => Cover?.Recovered switch { true => "true", false => "false", _ => "otherwise" };
}

/// <summary>What one reader got wrong in one room: messages missed, received twice, received out of order.</summary>
public sealed record RoomAccount(IReadOnlyList<MissedMessage> Missed, IReadOnlyList<PositionedReceipt> Duplicates,
    IReadOnlyList<(PositionedReceipt Message, long After)> Reorders);

/// <summary>
/// The history chaos run's accounting, as a pure function of what the senders said and what one reader received and
/// was answered (tested by <c>HistoryLedgerTests</c>). A reader is a member of a room from its first join's answer on:
/// every message the room ordered after that must reach it, live or replayed. A miss is charged to the join whose
/// recovery had to bring it (<see cref="Cover"/>), so a miss under <c>recovered:true</c> is a bug and a miss under
/// <c>recovered:false</c> is the loss the server owned up to.
/// </summary>
public static class HistoryLedger
{
    /// <summary>Where each message stands in its room (epoch, offset), as any reader received it.</summary>
    public static Dictionary<(string Room, string Sender, long Seq), (string Epoch, long Offset)> Positions(IEnumerable<PositionedReceipt> received)
    {
        var positions = new Dictionary<(string, string, long), (string, long)>();
        foreach (var m in received) positions.TryAdd((m.Room, m.Sender, m.Seq), (m.Epoch, m.Offset));
        return positions;
    }

    /// <summary>
    /// Adds a position for each message of <paramref name="ordered"/> that no reader received: a sender's messages of
    /// a room are ordered in its numbers (one say in flight), so such a message stands before the sender's next message
    /// that was received, at the latest offset below it that no reader received. A bound, not the exact place: enough to
    /// tell which join's answer came after it.
    /// </summary>
    public static void InferUnseen(Dictionary<(string Room, string Sender, long Seq), (string Epoch, long Offset)> positions, IEnumerable<SayRecord> ordered)
    {
        var seenOffsets = positions.Select(p => (p.Key.Room, p.Value.Epoch, p.Value.Offset)).ToHashSet();
        var bySender = positions.Keys.GroupBy(k => (k.Room, k.Sender)).ToDictionary(g => g.Key, g => g.Select(k => k.Seq).OrderBy(q => q).ToList());
        foreach (var m in ordered.Where(m => !positions.ContainsKey((m.Room, m.Sender, m.Seq))).ToList())
        {
            if (!bySender.TryGetValue((m.Room, m.Sender), out var seqs)) continue;
            var next = seqs.FirstOrDefault(q => q > m.Seq);
            if (next == 0) continue;
            var (epoch, offset) = positions[(m.Room, m.Sender, next)];
            var candidate = offset - 1;
            while (candidate >= 1 && seenOffsets.Contains((m.Room, epoch, candidate))) candidate--;
            if (candidate >= 1) positions.TryAdd((m.Room, m.Sender, m.Seq), (epoch, candidate));
        }
    }

    /// <param name="ordered">The room's messages: acknowledged, or received by some reader.</param>
    public static RoomAccount Account(string room, IEnumerable<JoinRecord> joins, IEnumerable<PositionedReceipt> received,
        IEnumerable<SayRecord> ordered, IReadOnlyDictionary<(string Room, string Sender, long Seq), (string Epoch, long Offset)> positions)
    {
        var okJoins = joins.Where(j => j.Room == room && j.Ok).OrderBy(j => j.RequestAt).ToList();
        var got = received.Where(m => m.Room == room).ToList();
        var ids = new HashSet<(string, long)>();
        var duplicates = got.Where(m => !ids.Add((m.Sender, m.Seq))).ToList();
        var reorders = new List<(PositionedReceipt, long)>();
        var last = new Dictionary<string, long>();
        foreach (var m in got)
        {
            if (last.TryGetValue(m.Sender, out var prev) && m.Seq < prev) reorders.Add((m, prev));
            last[m.Sender] = Math.Max(prev, m.Seq);
        }
        if (okJoins.Count == 0) return new RoomAccount(Array.Empty<MissedMessage>(), duplicates, reorders);
        var memberFrom = okJoins[0].ReplyAt;
        var missed = ordered.Where(m => m.Room == room && m.SentAt >= memberFrom && !ids.Contains((m.Sender, m.Seq)))
            .Select(m => new MissedMessage(m, Cover(okJoins, m, positions))).ToList();
        return new RoomAccount(missed, duplicates, reorders);
    }

    /// <summary>
    /// Messages a reader received in a room on a connection (session) whose join of that room was not answered OK: the
    /// node told the client the join failed, yet made the connection a member.
    /// </summary>
    public static List<PositionedReceipt> ReceivedWhileNotJoined(IEnumerable<JoinRecord> joins, IEnumerable<PositionedReceipt> received)
    {
        var joined = joins.Where(j => j.Ok).Select(j => (j.Session, j.Room)).ToHashSet();
        return received.Where(m => !joined.Contains((m.Session, m.Room))).ToList();
    }

    /// <summary>
    /// The join whose recovery answered for a missed message: the first join that answered a position at or after the
    /// message in its epoch (the message was ordered before that join's answer, so the join's replay, or the live
    /// messages before it, had to bring it); else the first join that found the message's epoch gone (the room lost
    /// its history). A message no reader received (no position known): the first join sent after it was said.
    /// </summary>
    public static JoinRecord? Cover(IReadOnlyList<JoinRecord> okJoins, SayRecord m,
        IReadOnlyDictionary<(string Room, string Sender, long Seq), (string Epoch, long Offset)> positions)
    {
        if (positions.TryGetValue((m.Room, m.Sender, m.Seq), out var p))
        {
            if (okJoins.FirstOrDefault(j => j.Epoch == p.Epoch && j.Offset >= p.Offset) is { } answered) return answered;
            if (okJoins.FirstOrDefault(j => j.Since?.Epoch == p.Epoch && j.Epoch != p.Epoch) is { } lost) return lost;
        }
        return okJoins.FirstOrDefault(j => j.RequestAt >= m.SentAt);
    }
}
