using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using ChatCluster.Tests.Support;
using StackExchange.Redis;

namespace ChatCluster.Tests.Persistence;

/// <summary>
/// A persistent actor writes events and a snapshot through both plugins; its ActorSystem is shut down and a new one on
/// the same Redis recovers the same state. Then the Redis keys are checked against the documented layout.
/// </summary>
[Collection("redis")]
public sealed class RedisPersistenceEndToEndSpec
{
    private const string Pid = "counter-1";
    private readonly RedisServerFixture _redis;
    private readonly string _keyPrefix = RedisServerFixture.NewKeyPrefix("e2e");

    public RedisPersistenceEndToEndSpec(RedisServerFixture redis) => _redis = redis;

    private Config Config => RedisPersistenceConfig.For(_redis.ConnectionString, _keyPrefix);

    [Fact]
    public async Task Persistence_should_recover_the_same_state_in_a_new_actor_system()
    {
        CounterState before;
        var first = ActorSystem.Create("redis-e2e-1", Config);
        try
        {
            var counter = first.ActorOf(Props.Create(() => new Counter(Pid)));
            for (var i = 1; i <= 3; i++) await counter.Ask<CounterState>(new Counter.Add(i), Timeouts.Expect);
            Assert.Equal(3, (await counter.Ask<SaveSnapshotSuccess>(Counter.Snap.Instance, Timeouts.Expect)).Metadata.SequenceNr);
            for (var i = 4; i <= 5; i++) await counter.Ask<CounterState>(new Counter.Add(i), Timeouts.Expect);
            before = await counter.Ask<CounterState>(Counter.Get.Instance, Timeouts.Expect);
            Assert.Equal(new CounterState(15, 5, 0), before);
        }
        finally
        {
            await first.Terminate().WaitAsync(Timeouts.Expect);
        }

        var second = ActorSystem.Create("redis-e2e-2", Config);
        try
        {
            var counter = second.ActorOf(Props.Create(() => new Counter(Pid)));
            var after = await counter.Ask<CounterState>(Counter.Get.Instance, Timeouts.Expect);
            // Same totals; recovered from the snapshot at 3 plus events 4 and 5.
            Assert.Equal(before with { RecoveredFromSnapshotAt = 3 }, after);
            var next = await counter.Ask<CounterState>(new Counter.Add(6), Timeouts.Expect);
            Assert.Equal(new CounterState(21, 6, 3), next);
        }
        finally
        {
            await second.Terminate().WaitAsync(Timeouts.Expect);
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var db = redis.GetDatabase();
        var events = _keyPrefix + "journal:persisted:" + Pid;
        Assert.Equal(RedisType.SortedSet, await db.KeyTypeAsync(events));
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 },
            (await db.SortedSetRangeByRankWithScoresAsync(events)).Select(e => e.Score));
        Assert.Equal(RedisType.String, await db.KeyTypeAsync(events + ":highestSequenceNr"));
        Assert.Equal("6", (string?)await db.StringGetAsync(events + ":highestSequenceNr"));
        var snapshots = _keyPrefix + "snapshot:" + Pid;
        Assert.Equal(RedisType.SortedSet, await db.KeyTypeAsync(snapshots));
        Assert.Equal(new double[] { 3 }, (await db.SortedSetRangeByRankWithScoresAsync(snapshots)).Select(e => e.Score));
        // Nothing else is written (no persistenceIds set, tag lists or other keys).
        var all = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: _keyPrefix + "*").Select(k => (string)k!).Order().ToArray();
        Assert.Equal(new[] { events, events + ":highestSequenceNr", snapshots }.Order(), all);
    }
}
