using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using ChatCluster.Persistence.Redis;
using ChatCluster.Tests.Support;
using Xunit.Abstractions;

namespace ChatCluster.Tests.Persistence;

/// <summary>
/// Both plugins pointed at a loopback port nothing listens on: the plugins start (abortConnect off), and every
/// operation fails with an exception naming the persistenceId and key, within the client's bounded timeouts.
/// </summary>
public sealed class RedisUnreachableSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Pid = "p-unreachable";

    // Short client timeouts keep the test fast; the bound below is what "never hangs" means here.
    private static readonly TimeSpan FailWithin = TimeSpan.FromSeconds(8);

    private readonly ITestOutputHelper _output;

    public RedisUnreachableSpec(ITestOutputHelper output) : base(ConfigurationFactory.ParseString("""
            akka.persistence.journal.circuit-breaker.call-timeout = 30s
            akka.persistence.snapshot-store.circuit-breaker.call-timeout = 30s
            """).WithFallback(RedisPersistenceConfig.For(
            $"127.0.0.1:{RedisServerFixture.FreeLoopbackPort()},connectTimeout=500,connectRetry=1,asyncTimeout=1000,syncTimeout=1000",
            "unreachable:")), "redis-unreachable-spec", output)
    {
        _output = output;
    }

    private PersistenceExtension Extension => Akka.Persistence.Persistence.Instance.Apply(Sys);

    [Fact]
    public void Journal_should_fail_writes_when_redis_is_unreachable()
    {
        var probe = CreateTestProbe();
        var watch = Stopwatch.StartNew();
        var write = new AtomicWrite(new Persistent("a-1", 1, Pid, string.Empty, false, ActorRefs.NoSender, "w"));
        Extension.JournalFor(RedisPersistence.JournalPluginId).Tell(new WriteMessages(new[] { write }, probe.Ref, 1));

        var failed = probe.ExpectMsg<WriteMessagesFailed>(FailWithin);
        var failure = probe.ExpectMsg<WriteMessageFailure>(Timeouts.Expect);
        _output.WriteLine($"failed after {watch.Elapsed}: {failure.Cause.Message}");
        Assert.True(watch.Elapsed < FailWithin, $"took {watch.Elapsed}");
        Assert.IsType<RedisPersistenceException>(failed.Cause);
        Assert.Contains("'" + Pid + "'", failure.Cause.Message);
        Assert.Contains("unreachable:journal:persisted:" + Pid, failure.Cause.Message);
    }

    [Fact]
    public void Journal_should_fail_a_replay_when_redis_is_unreachable()
    {
        var probe = CreateTestProbe();
        Extension.JournalFor(RedisPersistence.JournalPluginId).Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, Pid, probe.Ref));
        var failure = probe.ExpectMsg<ReplayMessagesFailure>(FailWithin);
        Assert.Contains("'" + Pid + "'", failure.Cause.Message);
    }

    [Fact]
    public void SnapshotStore_should_fail_a_save_when_redis_is_unreachable()
    {
        var store = Extension.SnapshotStoreFor(RedisPersistence.SnapshotStorePluginId);
        store.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 1, DateTime.UtcNow), "s-1"), TestActor);
        var failure = ExpectMsg<SaveSnapshotFailure>(FailWithin);
        Assert.Contains("unreachable:snapshot:" + Pid, failure.Cause.Message);
    }
}
