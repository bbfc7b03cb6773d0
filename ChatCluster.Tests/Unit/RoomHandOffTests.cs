using ChatCluster.Messages;
using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// A hand-over must fit in one message between nodes (remoting drops a larger one, and the next actor then starts a
/// new epoch): the newest history and tickets that fit go, the epoch and the offset go on.
/// </summary>
public sealed class RoomHandOffTests
{
    private const int EntryBytes = 132; // 98 bytes of message in room "r" from "f", plus HistoryChunks' per-entry overhead

    private static HistoryEntry Entry(long offset, long at = 0, SayTicket? ticket = null) =>
        new(offset, new ChatPayload("r", "f", new string('x', 98), 0), at, ticket);

    // (history entries, tickets, budget bytes) -> (first and last offset handed over, tickets handed over)
    public static TheoryData<string, int, int, int, (long First, long Last, int Tickets)> Cases => new()
    {
        { "everything fits", 10, 2, 64 * 1024, (1, 10, 2) },
        { "a long history keeps its newest messages", 20_000, 0, 64 * 1024, (20_000 - 64 * 1024 / EntryBytes + 1, 20_000, 0) },
        { "tickets take at most half", 20_000, 1_000, 64 * 1024, (20_000 - 32 * 1024 / EntryBytes + 1, 20_000, 32 * 1024 / EntryBytes) },
        { "a budget below one message still hands over the newest", 5, 0, 10, (5, 5, 0) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hands_over_what_fits_in_one_message(string name, int history, int tickets, int budget, (long First, long Last, int Tickets) expected)
    {
        _ = name;
        Assert.Equal(EntryBytes, HistoryChunks.SizeOf(Entry(1)));
        var entries = Enumerable.Range(1, history).Select(i => Entry(i)).ToList();
        var recent = Enumerable.Range(1, tickets).Select(i => Entry(history - tickets + i, at: i, new SayTicket($"s{i}", 1))).Reverse().ToList();
        var handOver = RoomHandOff.Fitted("r", 7, history, entries, recent, budget);

        Assert.Equal((7L, (long)history), (handOver.Epoch, handOver.Seq));
        Assert.Equal(expected, (handOver.Entries[0].Offset, handOver.Entries[^1].Offset, handOver.Ordered?.Count ?? 0));
        var bytes = handOver.Entries.Sum(HistoryChunks.SizeOf) + (handOver.Ordered?.Sum(HistoryChunks.SizeOf) ?? 0);
        Assert.True(bytes <= Math.Max(budget, EntryBytes), $"{bytes} bytes handed over for a budget of {budget}");
        if (handOver.Ordered is { Count: > 1 } o) Assert.True(o[0].At < o[^1].At); // the newest tickets, oldest first
    }
}
