using ChatCluster.Messages;
using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>A retried say finds the delivery the room ordered for it, so it is not ordered (and kept in history) twice.</summary>
public sealed class OrderedSaysTests
{
    private static Deliver D(string key, long id, long seq) => new(7, seq, new ChatPayload("r", key, "\"m\"", 1), new SayTicket(key, id));

    public static TheoryData<string, string, long, long?> Cases => new()
    {
        // name, retried sender, retried id, seq found (null: not ordered here -> a new order)
        { "a retry of the last say of a sender gets its delivery", "c1", 2, 11 },
        { "an older say of that sender is not found (its newer one replaced it)", "c1", 1, null },
        { "a newer say is a new order", "c1", 3, null },
        { "another sender's say of the same number is its own", "c2", 2, 12 },
        { "a sender never seen", "c3", 1, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Find_should_return_the_delivery_of_exactly_that_ticket(string name, string key, long id, long? seq)
    {
        var ordered = new OrderedSays(TimeSpan.FromSeconds(30));
        ordered.Ordered(D("c1", 1, 10), 0);
        ordered.Ordered(D("c1", 2, 11), 1);
        ordered.Ordered(D("c2", 2, 12), 2);
        Assert.True(seq == ordered.Find(new SayTicket(key, id))?.Seq, name);
    }

    [Fact]
    public void Old_entries_should_be_forgotten_once_the_table_grows()
    {
        var ordered = new OrderedSays(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 63; i++) ordered.Ordered(D("old" + i, 1, i), 0);
        ordered.Ordered(D("new", 1, 100), 5_000); // the 64th entry triggers a sweep: the 63 old ones are past the window
        Assert.Equal(1, ordered.Count);
        Assert.Null(ordered.Find(new SayTicket("old0", 1)));
        Assert.Equal(100, ordered.Find(new SayTicket("new", 1))!.Seq);
    }

    private static HistoryEntry E(long offset, long at, string? key = null, long id = 0) =>
        new(offset, new ChatPayload("r", key ?? "server", "\"m\"", 1), at, key is null ? null : new SayTicket(key, id));

    public static TheoryData<string, string, long, long?> RestoreCases => new()
    {
        // name, retried sender, retried id, offset found (null: unknown to the next actor -> a new order)
        { "the newest ticket of a sender in the entries is found", "c1", 2, 11 },
        { "an older ticket of that sender is not (its newer one replaced it)", "c1", 1, null },
        { "an entry older than the window is not restored", "c2", 1, null },
        { "a sender whose newest say came in the hand-over's ordered list", "c3", 5, 3 },
        { "a hand-over entry older than the history's newer one of the same sender does not replace it", "c4", 2, 13 },
    };

    [Theory]
    [MemberData(nameof(RestoreCases))]
    public void Restore_should_rebuild_the_newest_ticket_per_sender_within_the_window(string name, string key, long id, long? offset)
    {
        var ordered = new OrderedSays(TimeSpan.FromSeconds(30));
        const long now = 100_000;
        ordered.Restore(9, new[]
        {
            E(8, now - 31_000, "c2", 1), E(10, now - 2_000, "c1", 1), E(11, now - 1_000, "c1", 2), E(12, now - 900), E(13, now - 800, "c4", 2),
        }, now);
        ordered.Restore(9, new[] { E(3, now - 10_000, "c3", 5), E(4, now - 9_000, "c4", 1) }, now);
        var found = ordered.Find(new SayTicket(key, id));
        Assert.True(offset == found?.Seq, name);
        if (found is not null) Assert.Equal(9, found.Epoch);
    }

    [Fact]
    public void Recent_should_hand_over_what_restore_takes_back()
    {
        var ordered = new OrderedSays(TimeSpan.FromSeconds(30));
        ordered.Ordered(D("c1", 2, 11), 1_000);
        ordered.Ordered(D("c2", 1, 12), 50_000);
        var recent = ordered.Recent(60_000); // c1's say is past the window
        Assert.Equal(new[] { 12L }, recent.Select(e => e.Offset));
        var next = new OrderedSays(TimeSpan.FromSeconds(30));
        next.Restore(7, recent, 60_000);
        Assert.Equal(D("c2", 1, 12), next.Find(new SayTicket("c2", 1)));
        Assert.Null(next.Find(new SayTicket("c1", 2)));
    }
}
