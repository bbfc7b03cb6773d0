using System.Text;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// Keeps what the room sends from its history below <c>chatcluster.history.max-chunk-bytes</c>: a message between nodes
/// larger than the remoting frame size is dropped by Akka, so a replay goes in several chunks and a history reply is
/// cut (the client pages on with <c>since</c>). Sizes are estimates of the serialized bytes.
/// </summary>
public static class HistoryChunks
{
    // Offset, time, sentAt and string length prefixes of one serialized entry.
    private const int EntryOverhead = 32;

    public static int SizeOf(HistoryEntry e) =>
        Encoding.UTF8.GetByteCount(e.Payload.MessageJson) + Encoding.UTF8.GetByteCount(e.Payload.Room)
        + Encoding.UTF8.GetByteCount(e.Payload.From) + EntryOverhead;

    /// <summary>
    /// The entries in order, split into runs of at most <paramref name="maxBytes"/> each (an entry larger than that
    /// alone is a run of its own). Never empty: no entries give one empty run, which still carries the reply.
    /// </summary>
    public static List<IReadOnlyList<HistoryEntry>> Split(IReadOnlyList<HistoryEntry> entries, int maxBytes)
    {
        var runs = new List<IReadOnlyList<HistoryEntry>>();
        var run = new List<HistoryEntry>();
        var bytes = 0;
        foreach (var e in entries)
        {
            var size = SizeOf(e);
            if (run.Count > 0 && bytes + size > maxBytes)
            {
                runs.Add(run);
                run = new List<HistoryEntry>();
                bytes = 0;
            }
            run.Add(e);
            bytes += size;
        }
        runs.Add(run);
        return runs;
    }

    /// <summary>
    /// As many entries as fit in <paramref name="maxBytes"/> (at least one), from the oldest on, or with
    /// <paramref name="newest"/> the newest ones (still in order, oldest first).
    /// </summary>
    public static IReadOnlyList<HistoryEntry> Fit(IReadOnlyList<HistoryEntry> entries, int maxBytes, bool newest)
    {
        var bytes = 0;
        var n = 0;
        for (; n < entries.Count; n++)
        {
            var size = SizeOf(entries[newest ? entries.Count - 1 - n : n]);
            if (n > 0 && bytes + size > maxBytes) break;
            bytes += size;
        }
        if (n == entries.Count) return entries;
        var result = new HistoryEntry[n];
        for (var i = 0; i < n; i++) result[i] = entries[newest ? entries.Count - n + i : i];
        return result;
    }
}
