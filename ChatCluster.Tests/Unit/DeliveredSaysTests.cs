using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>The per-node memory that drops a retried say delivered here before.</summary>
public sealed class DeliveredSaysTests
{
    public static TheoryData<string, (string Key, long Id)[], bool[]> Cases => new()
    {
        { "first say of a sender", new[] { ("a", 1L) }, new[] { true } },
        { "the next say", new[] { ("a", 1L), ("a", 2L) }, new[] { true, true } },
        { "a retried copy", new[] { ("a", 1L), ("a", 1L) }, new[] { true, false } },
        { "an older say after a newer one", new[] { ("a", 2L), ("a", 1L) }, new[] { true, false } },
        { "senders are independent", new[] { ("a", 5L), ("b", 1L), ("b", 1L), ("a", 6L) }, new[] { true, true, false, true } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accepts_each_say_once(string name, (string Key, long Id)[] says, bool[] expected)
    {
        _ = name;
        var delivered = new DeliveredSays(TimeSpan.FromSeconds(40));
        Assert.Equal(expected, says.Select(s => delivered.TryAccept(new SayTicket(s.Key, s.Id), 0)).ToArray());
    }

    [Fact]
    public void Forgets_senders_older_than_the_window_once_the_table_grows()
    {
        var delivered = new DeliveredSays(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 1000; i++) delivered.TryAccept(new SayTicket($"old-{i}", 1), 0);
        for (var i = 0; i < 100; i++) delivered.TryAccept(new SayTicket($"new-{i}", 1), 5_000);
        Assert.True(delivered.Count < 200, $"{delivered.Count} entries kept");
        Assert.False(delivered.TryAccept(new SayTicket("new-1", 1), 5_000)); // recent ones are remembered
    }
}
