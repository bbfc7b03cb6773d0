using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// What a starting room takes from its stored history: the epoch of the newest stored entry, its offset (the room
/// continues after it) and the last run of entries of that epoch with consecutive offsets ending there, at most
/// <c>size</c> of them. Anything else (older epochs left behind by a failed drop, a hole) is ignored, so recovery is
/// never claimed across a gap. Plain rule, tested by table.
/// </summary>
public static class HistoryResume
{
    public sealed record Resumed(long Epoch, long Seq, IReadOnlyList<HistoryEntry> Entries);

    /// <summary>Null when nothing is stored: the room starts a new epoch.</summary>
    public static Resumed? From(IReadOnlyList<StoredHistoryEntry> stored, int size)
    {
        if (stored.Count == 0 || size < 1) return null;
        var newest = stored[^1];
        var first = stored.Count - 1;
        while (first > 0 && stored.Count - first < size
               && stored[first - 1].Epoch == newest.Epoch && stored[first - 1].Offset == stored[first].Offset - 1)
            first--;
        var entries = new HistoryEntry[stored.Count - first];
        for (var i = 0; i < entries.Length; i++)
        {
            var s = stored[first + i];
            entries[i] = new HistoryEntry(s.Offset, s.Payload, s.At, s.Ticket);
        }
        return new Resumed(newest.Epoch, newest.Offset, entries);
    }
}
