using ChatCluster.Messages;
using ChatCluster.Node.Core;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// Where the say in flight was seen ordered on its sender's node (its own copy arrived, the OK waits): what the retry
/// tells the room's next actor, for exactly that say.
/// </summary>
public sealed class SayAckSlotTests
{
    private static Deliver Delivered(long sayId, long epoch, long seq) =>
        new(epoch, seq, new ChatPayload("r", "c1", "\"m\"", 1), new SayTicket("c1", sayId));

    // name, say armed, delivery seen (say id, epoch, seq; null: none), say asked, expected position (null: none)
    public static TheoryData<string, long, (long, long, long)?, long, Position?> Cases => new()
    {
        { "its copy arrived: where it was ordered", 5, (5, 9, 40), 5, new Position(9, 40) },
        { "no copy arrived: nothing (the retry is a plain one)", 5, null, 5, null },
        { "a copy of another say: nothing", 5, (4, 9, 39), 5, null },
        { "asked for another say: nothing", 5, (5, 9, 40), 6, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OrderedAt_should_give_the_position_of_exactly_the_say_in_flight(string name, long armed, (long, long, long)? seen, long asked,
        Position? expected)
    {
        var slot = new SayAckSlot();
        slot.Arm(armed, new byte[] { 1 }, 0);
        if (seen is var (id, epoch, seq)) slot.Ordered(Delivered(id, epoch, seq));
        Assert.True(expected == slot.OrderedAt(asked), name);
    }

    [Fact]
    public void The_next_say_should_forget_where_the_previous_one_was_ordered()
    {
        var slot = new SayAckSlot();
        slot.Arm(5, new byte[] { 1 }, 0);
        slot.Ordered(Delivered(5, 9, 40));
        Assert.NotNull(slot.TryTake(5));
        slot.Arm(6, new byte[] { 1 }, 1);
        Assert.Null(slot.OrderedAt(5));
        Assert.Null(slot.OrderedAt(6));
    }
}
