using Akka.Actor;
using Akka.Persistence;
using ChatCluster.Persistence.Redis;
using ChatCluster.Tests.Support;
using StackExchange.Redis;

namespace ChatCluster.Tests.Persistence;

/// <summary>
/// The behaviours of Akka's SnapshotStoreSpec (TCK), driven through the snapshot store actor
/// (SaveSnapshot / LoadSnapshot / DeleteSnapshot / DeleteSnapshots) against a real redis-server.
/// Every test starts with snapshots s-1..s-5 of <see cref="Pid"/> at sequence numbers 11..15.
/// </summary>
[Collection("redis")]
public sealed class RedisSnapshotStoreSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Pid = "p-1";

    private readonly RedisServerFixture _redis;
    private readonly string _keyPrefix;
    private readonly List<SnapshotMetadata> _saved = new();

    public RedisSnapshotStoreSpec(RedisServerFixture redis) : this(redis, RedisServerFixture.NewKeyPrefix("snapshot-spec")) { }

    private RedisSnapshotStoreSpec(RedisServerFixture redis, string keyPrefix)
        : base(RedisPersistenceConfig.For(redis.ConnectionString, keyPrefix), "redis-snapshot-spec")
    {
        _redis = redis;
        _keyPrefix = keyPrefix;
        for (var i = 1; i <= 5; i++) _saved.Add(Save(new SnapshotMetadata(Pid, 10 + i, DateTime.UtcNow), $"s-{i}"));
    }

    private IActorRef Store => Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(RedisPersistence.SnapshotStorePluginId);

    private SnapshotMetadata Save(SnapshotMetadata metadata, object snapshot)
    {
        Store.Tell(new SaveSnapshot(metadata, snapshot), TestActor);
        return ExpectMsg<SaveSnapshotSuccess>(Timeouts.Expect).Metadata;
    }

    private LoadSnapshotResult Load(SnapshotSelectionCriteria criteria, long toSequenceNr = long.MaxValue, string pid = Pid)
    {
        Store.Tell(new LoadSnapshot(pid, criteria, toSequenceNr), TestActor);
        var result = ExpectMsg<LoadSnapshotResult>(Timeouts.Expect);
        Assert.Equal(toSequenceNr, result.ToSequenceNr);
        return result;
    }

    /// <summary>Asserts the loaded snapshot is the one saved as <c>s-{n}</c> (metadata included).</summary>
    private void AssertLoaded(int n, LoadSnapshotResult result)
    {
        Assert.NotNull(result.Snapshot);
        Assert.Equal(_saved[n - 1], result.Snapshot.Metadata);
        Assert.Equal($"s-{n}", result.Snapshot.Snapshot);
    }

    [Fact]
    public void SnapshotStore_should_load_nothing_for_an_unknown_persistence_id() =>
        Assert.Null(Load(SnapshotSelectionCriteria.Latest, pid: "never-saved").Snapshot);

    [Fact]
    public void SnapshotStore_should_load_the_newest_snapshot() =>
        AssertLoaded(5, Load(SnapshotSelectionCriteria.Latest));

    [Fact]
    public void SnapshotStore_should_load_the_newest_snapshot_up_to_a_max_sequence_number()
    {
        AssertLoaded(3, Load(new SnapshotSelectionCriteria(13)));
        AssertLoaded(3, Load(SnapshotSelectionCriteria.Latest, toSequenceNr: 13)); // the recovery's upper bound limits too
    }

    [Fact]
    public void SnapshotStore_should_load_the_newest_snapshot_up_to_a_max_timestamp()
    {
        AssertLoaded(3, Load(new SnapshotSelectionCriteria(long.MaxValue, _saved[2].Timestamp)));
        AssertLoaded(3, Load(new SnapshotSelectionCriteria(14, _saved[2].Timestamp)));
    }

    [Fact]
    public void SnapshotStore_should_load_nothing_below_a_min_sequence_number()
    {
        AssertLoaded(2, Load(new SnapshotSelectionCriteria(12, DateTime.MaxValue, 12)));
        Assert.Null(Load(new SnapshotSelectionCriteria(13, DateTime.MaxValue, 14)).Snapshot);
    }

    [Fact]
    public void SnapshotStore_should_load_nothing_older_than_a_min_timestamp()
    {
        AssertLoaded(4, Load(new SnapshotSelectionCriteria(14, DateTime.MaxValue, 0, _saved[3].Timestamp)));
        Assert.Null(Load(new SnapshotSelectionCriteria(13, DateTime.MaxValue, 0, _saved[3].Timestamp)).Snapshot);
    }

    [Fact]
    public void SnapshotStore_should_load_nothing_when_no_snapshot_matches_the_sequence_number()
    {
        Assert.Null(Load(new SnapshotSelectionCriteria(7)).Snapshot);
        Assert.Null(Load(SnapshotSelectionCriteria.Latest, toSequenceNr: 7).Snapshot);
    }

    [Fact]
    public void SnapshotStore_should_load_nothing_when_no_snapshot_matches_the_timestamp() =>
        Assert.Null(Load(new SnapshotSelectionCriteria(long.MaxValue, new DateTime(100000))).Snapshot);

    [Fact]
    public async Task SnapshotStore_should_replace_a_snapshot_with_the_same_sequence_number()
    {
        var metadata = Save(_saved[4], "s-5-modified");
        Assert.Equal(15, metadata.SequenceNr);
        var result = Load(new SnapshotSelectionCriteria(15));
        Assert.Equal("s-5-modified", result.Snapshot.Snapshot);
        Assert.Equal(15, result.Snapshot.Metadata.SequenceNr);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        Assert.Equal(5, await redis.GetDatabase().SortedSetLengthAsync(_keyPrefix + "snapshot:" + Pid)); // replaced, not added
    }

    [Fact]
    public void SnapshotStore_should_delete_a_single_snapshot()
    {
        var md = new SnapshotMetadata(Pid, _saved[2].SequenceNr, DateTime.MinValue); // the timestamp does not matter for a single delete
        Store.Tell(new DeleteSnapshot(md), TestActor);
        ExpectMsg<DeleteSnapshotSuccess>(Timeouts.Expect);

        AssertLoaded(2, Load(new SnapshotSelectionCriteria(md.SequenceNr)));
        AssertLoaded(5, Load(SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public void SnapshotStore_should_delete_the_snapshots_matching_sequence_number_and_timestamp_bounds()
    {
        var md = _saved[2];
        var criteria = new SnapshotSelectionCriteria(md.SequenceNr, md.Timestamp);
        Store.Tell(new DeleteSnapshots(Pid, criteria), TestActor);
        Assert.Equal(criteria, ExpectMsg<DeleteSnapshotsSuccess>(Timeouts.Expect).Criteria);

        Assert.Null(Load(criteria).Snapshot);
        AssertLoaded(4, Load(new SnapshotSelectionCriteria(_saved[3].SequenceNr, _saved[3].Timestamp)));
    }

    [Fact]
    public void SnapshotStore_should_not_delete_snapshots_newer_than_the_timestamp_bound()
    {
        var md = _saved[3];
        var criteria = new SnapshotSelectionCriteria(md.SequenceNr, md.Timestamp.Subtract(TimeSpan.FromTicks(1)));
        Store.Tell(new DeleteSnapshots(Pid, criteria), TestActor);
        ExpectMsg<DeleteSnapshotsSuccess>(Timeouts.Expect);

        AssertLoaded(4, Load(new SnapshotSelectionCriteria(md.SequenceNr, md.Timestamp)));
        Assert.Null(Load(new SnapshotSelectionCriteria(_saved[2].SequenceNr)).Snapshot);
    }

    [Fact]
    public void SnapshotStore_should_save_and_load_a_large_snapshot()
    {
        var big = new byte[256 * 1024];
        new Random(7).NextBytes(big);
        Save(new SnapshotMetadata(Pid, 100, DateTime.UtcNow), big);
        Assert.Equal(big, (byte[])Load(SnapshotSelectionCriteria.Latest).Snapshot.Snapshot);
    }

    [Fact]
    public void SnapshotStore_should_round_trip_a_snapshot_payload_with_its_serializer()
    {
        var state = new TestEvent("state", 7, TestActor);
        var metadata = Save(new SnapshotMetadata(Pid, 100, DateTime.UtcNow), state);
        var loaded = Load(SnapshotSelectionCriteria.Latest).Snapshot;
        Assert.Equal(metadata, loaded.Metadata);
        Assert.Equal(state, loaded.Snapshot);
    }

    [Fact]
    public void SnapshotStore_should_fail_a_save_whose_payload_cannot_be_serialized()
    {
        Store.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 100, DateTime.UtcNow), new NotSerializablePayload("x")), TestActor);
        var failure = ExpectMsg<SaveSnapshotFailure>(Timeouts.Expect);
        Assert.Contains("'" + Pid + "'", failure.Cause.Message);
        AssertLoaded(5, Load(SnapshotSelectionCriteria.Latest));
    }
}
