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
}
