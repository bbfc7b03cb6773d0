using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>The per-node memory that drops a retried say delivered here before.</summary>
public sealed class DeliveredSaysTests
{
    public static TheoryData<string, (string Key, string Room, long Id)[], bool[]> Cases => new()
    {
        { "first say of a sender", new[] { ("a", "r", 1L) }, new[] { true } },
        { "the next say", new[] { ("a", "r", 1L), ("a", "r", 2L) }, new[] { true, true } },
        { "a retried copy", new[] { ("a", "r", 1L), ("a", "r", 1L) }, new[] { true, false } },
        { "an older say after a newer one in the same room", new[] { ("a", "r", 2L), ("a", "r", 1L) }, new[] { true, false } },
        { "senders are independent", new[] { ("a", "r", 5L), ("b", "r", 1L), ("b", "r", 1L), ("a", "r", 6L) }, new[] { true, true, false, true } },
        // two rooms' deliveries reach a node in either order: a sender's say 2 in s may come before its say 1 in r
        { "rooms are independent", new[] { ("a", "s", 2L), ("a", "r", 1L), ("a", "r", 1L) }, new[] { true, true, false } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accepts_each_say_once(string name, (string Key, string Room, long Id)[] says, bool[] expected)
    {
        _ = name;
        var delivered = new DeliveredSays(TimeSpan.FromSeconds(40));
        Assert.Equal(expected, says.Select(s => delivered.Accept(new SayTicket(s.Key, s.Id), s.Room, 0, 0) == DeliveredSays.First).ToArray());
    }

    // (ticket id, stamp now, restamp) per delivery of sender a's say in room r -> what Accept answers: First, or the stamp
    // of the delivery before (members added after it did not get the say on this node).
    public static TheoryData<string, (long Id, long Stamp, bool Restamp)[], long[]> Stamps => new()
    {
        { "a first delivery", new[] { (1L, 10L, false) }, new[] { DeliveredSays.First } },
        { "a copy answers the first delivery's stamp", new[] { (1L, 10L, false), (1L, 20L, false) }, new[] { DeliveredSays.First, 10L } },
        { "a plain copy does not move the stamp", new[] { (1L, 10L, false), (1L, 20L, false), (1L, 30L, false) }, new[] { DeliveredSays.First, 10L, 10L } },
        // ordered again in a new epoch: written to the members added since 10; its own copies then only to those added since 20
        { "a copy ordered again moves the stamp", new[] { (1L, 10L, false), (1L, 20L, true), (1L, 30L, true) }, new[] { DeliveredSays.First, 10L, 20L } },
        { "an older say's copy answers, and does not move, the newer say's stamp", new[] { (2L, 10L, false), (1L, 20L, true), (2L, 30L, false) }, new[] { DeliveredSays.First, 10L, 10L } },
        { "the next say is a first delivery", new[] { (1L, 10L, false), (2L, 20L, false) }, new[] { DeliveredSays.First, DeliveredSays.First } },
    };

    [Theory]
    [MemberData(nameof(Stamps))]
    public void Answers_when_this_node_delivered_a_say_before(string name, (long Id, long Stamp, bool Restamp)[] deliveries, long[] expected)
    {
        _ = name;
        var delivered = new DeliveredSays(TimeSpan.FromSeconds(40));
        Assert.Equal(expected, deliveries.Select(d => delivered.Accept(new SayTicket("a", d.Id), "r", 0, d.Stamp, d.Restamp)).ToArray());
    }

    [Fact]
    public void Forgets_senders_older_than_the_window_once_the_table_grows()
    {
        var delivered = new DeliveredSays(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 1000; i++) delivered.Accept(new SayTicket($"old-{i}", 1), "r", 0, 0);
        for (var i = 0; i < 100; i++) delivered.Accept(new SayTicket($"new-{i}", 1), "r", 5_000, 0);
        Assert.True(delivered.Count < 200, $"{delivered.Count} entries kept");
        Assert.False(delivered.Accept(new SayTicket("new-1", 1), "r", 5_000, 0) == DeliveredSays.First); // recent ones are remembered
    }
}
