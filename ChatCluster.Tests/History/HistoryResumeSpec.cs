using Akka.Configuration;
using ChatCluster.Messages;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Rooms;

namespace ChatCluster.Tests.History;

/// <summary>
/// What a starting room takes from its stored history (<see cref="HistoryResume"/>), and which store
/// <c>chatcluster.history.store</c> picks.
/// </summary>
public sealed class HistoryResumeSpec
{
    // stored entries as (epoch, offset); size; expected epoch, seq and offsets kept (null epoch: nothing to resume)
    public static TheoryData<string, (long, long)[], int, long?, long, long[]> Cases => new()
    {
        { "nothing stored: a new epoch", Array.Empty<(long, long)>(), 10, null, 0, Array.Empty<long>() },
        { "one epoch, below the size", new[] { (7L, 1L), (7L, 2L), (7L, 3L) }, 10, 7, 3, new long[] { 1, 2, 3 } },
        { "approximate trimming kept more than the size", new[] { (7L, 4L), (7L, 5L), (7L, 6L), (7L, 7L) }, 2, 7, 7, new long[] { 6, 7 } },
        { "an older epoch left behind (its drop failed)", new[] { (1L, 8L), (1L, 9L), (2L, 10L), (2L, 11L) }, 10, 2, 11, new long[] { 10, 11 } },
        { "a hole: only the run after it", new[] { (3L, 1L), (3L, 2L), (3L, 5L), (3L, 6L) }, 10, 3, 6, new long[] { 5, 6 } },
        { "the newest entry alone", new[] { (4L, 1L), (5L, 1L) }, 10, 5, 1, new long[] { 1 } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_starting_room_should_resume_the_newest_epochs_last_gap_free_run(string name, (long, long)[] stored, int size,
        long? epoch, long seq, long[] kept)
    {
        var entries = stored.Select(s => new StoredHistoryEntry(s.Item1, s.Item2, new ChatPayload("r", "c", "\"x\"", 0), 0)).ToArray();
        var resumed = HistoryResume.From(entries, size);
        Assert.True(epoch == resumed?.Epoch, name);
        if (resumed is null) return;
        Assert.Equal(seq, resumed.Seq);
        Assert.Equal(kept, resumed.Entries.Select(e => e.Offset));
    }

    [Fact]
    public void Resumed_entries_should_keep_the_tickets_of_the_says_they_came_from()
    {
        var payload = new ChatPayload("r", "c", "\"x\"", 0);
        var ticket = new RoomProtocol.SayTicket("c", 4);
        var resumed = HistoryResume.From(new[] { new StoredHistoryEntry(7, 1, payload, 5, ticket), new StoredHistoryEntry(7, 2, payload, 6) }, 10)!;
        Assert.Equal(new RoomProtocol.HistoryEntry[] { new(1, payload, 5, ticket), new(2, payload, 6) }, resumed.Entries);
    }

    [Theory]
    [InlineData("auto, no redis", "auto", "", false)]
    [InlineData("auto, redis", "auto", "127.0.0.1:1", true)]
    [InlineData("memory, redis", "memory", "127.0.0.1:1", false)]
    [InlineData("redis, redis", "redis", "127.0.0.1:1", true)]
    public void The_store_should_be_redis_only_when_chosen_and_configured(string name, string store, string keystore, bool inRedis)
    {
        var s = HistorySettings.Create(Load($"chatcluster.history.store = {store}\nchatcluster.redis.keystore = \"{keystore}\""));
        Assert.True(inRedis == s.InRedis, name);
    }

    [Theory]
    [InlineData("chatcluster.history.store = redis", "chatcluster.history.store = redis needs chatcluster.redis.keystore")]
    [InlineData("chatcluster.history.store = disk", "chatcluster.history.store must be auto, memory or redis, was disk")]
    [InlineData("chatcluster.history.store-read-timeout = 0s", "chatcluster.history.store-read-timeout must be a positive duration")]
    public void A_bad_store_setting_should_fail_naming_the_key(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => HistorySettings.Create(Load(hocon)));
        Assert.Contains(message, e.Message);
    }

    private static Config Load(string hocon) =>
        ConfigurationFactory.ParseString(hocon).WithFallback(NodeConfig.Load(Array.Empty<string>(), Array.Empty<string>()));
}
