using ChatCluster.Node.Rooms;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.History;

/// <summary>
/// The histories a node keeps for the next actors of the rooms it handed over (<see cref="ParkedHandOvers"/>): taken once,
/// by room, the newest park wins, gone after the keep time.
/// </summary>
public sealed class ParkedHandOversSpec
{
    private const long Keep = 1000;

    // parks as (room, seq, at); the take (room, at); the seq taken (null: nothing); how many stay parked after it
    public static TheoryData<string, (string, long, long)[], (string, long), long?, int> Cases => new()
    {
        { "nothing parked", Array.Empty<(string, long, long)>(), ("a", 0), null, 0 },
        { "the room's parked history", new[] { ("a", 5L, 0L) }, ("a", 10), 5, 0 },
        { "another room's stays", new[] { ("a", 5L, 0L), ("b", 7L, 0L) }, ("a", 10), 5, 1 },
        { "a room never parked", new[] { ("b", 7L, 0L) }, ("a", 10), null, 1 },
        { "the newest of two parks of a room", new[] { ("a", 5L, 0L), ("a", 9L, 500L) }, ("a", 600), 9, 0 },
        { "just before the keep time", new[] { ("a", 5L, 0L) }, ("a", Keep - 1), 5, 0 },
        { "at the keep time it is gone", new[] { ("a", 5L, 0L) }, ("a", Keep), null, 0 },
        { "an old park does not expire the newer one of its room", new[] { ("a", 5L, 0L), ("a", 9L, 900L) }, ("a", Keep + 100), 9, 0 },
        { "expired rooms go, fresh ones stay", new[] { ("a", 5L, 0L), ("b", 7L, 900L) }, ("c", Keep + 100), null, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_parked_history_should_be_taken_once_by_its_rooms_next_actor_within_the_keep_time(string name, (string, long, long)[] parks,
        (string, long) take, long? seqTaken, int left)
    {
        var parked = new ParkedHandOvers(Keep);
        foreach (var (room, seq, at) in parks) parked.Park(new HistoryHandOver(room, 42, seq, Array.Empty<HistoryEntry>()), at);
        Assert.True(seqTaken == parked.Take(take.Item1, take.Item2)?.Seq, name);
        Assert.True(left == parked.Count, name);
        Assert.Null(parked.Take(take.Item1, take.Item2)); // taken once
    }
}
