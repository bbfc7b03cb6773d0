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
        Assert.Equal(expected, says.Select(s => delivered.TryAccept(new SayTicket(s.Key, s.Id), s.Room, 0)).ToArray());
    }

    [Fact]
    public void Forgets_senders_older_than_the_window_once_the_table_grows()
    {
        var delivered = new DeliveredSays(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 1000; i++) delivered.TryAccept(new SayTicket($"old-{i}", 1), "r", 0);
        for (var i = 0; i < 100; i++) delivered.TryAccept(new SayTicket($"new-{i}", 1), "r", 5_000);
        Assert.True(delivered.Count < 200, $"{delivered.Count} entries kept");
        Assert.False(delivered.TryAccept(new SayTicket("new-1", 1), "r", 5_000)); // recent ones are remembered
    }
}
