using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using ChatCluster.Persistence.Redis;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Persistence;

/// <summary>
/// The behaviours of Akka's JournalSpec (TCK), driven through the journal actor with the plugin protocol
/// (WriteMessages / ReplayMessages / DeleteMessagesTo) against a real redis-server. Every test starts with
/// events a-1..a-5 of <see cref="Pid"/>: 1, 2, 3 as single writes and 4+5 as one atomic write.
/// </summary>
[Collection("redis")]
public sealed class RedisJournalSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Pid = "p-1";
    private const string WriterGuid = "writer-1";
    private const int ActorInstanceId = 1;

    public RedisJournalSpec(RedisServerFixture redis)
        : base(RedisPersistenceConfig.For(redis.ConnectionString, RedisServerFixture.NewKeyPrefix("journal-spec")), "redis-journal-spec")
    {
        WriteAll(Pid, new AtomicWrite(Event(1)), new AtomicWrite(Event(2)), new AtomicWrite(Event(3)),
            new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(4), Event(5))));
    }

    private IActorRef Journal => Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(RedisPersistence.JournalPluginId);

    private static Persistent Event(long seqNr, object? payload = null, string pid = Pid) =>
        new(payload ?? "a-" + seqNr, seqNr, pid, string.Empty, false, ActorRefs.NoSender, WriterGuid);

    /// <summary>Writes and expects every event to succeed.</summary>
    private void WriteAll(string pid, params AtomicWrite[] writes)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new WriteMessages(writes, probe.Ref, ActorInstanceId));
        probe.ExpectMsg<WriteMessagesSuccessful>(Timeouts.Expect);
        foreach (var p in writes.SelectMany(w => (IImmutableList<IPersistentRepresentation>)w.Payload))
            Assert.Equal(p.SequenceNr, probe.ExpectMsg<WriteMessageSuccess>(m => m.Persistent.PersistenceId == pid, Timeouts.Expect).Persistent.SequenceNr);
    }

    /// <summary>Replays and returns what came back, in order, with the RecoverySuccess' highest sequence number.</summary>
    private (List<IPersistentRepresentation> Events, long Highest) Replay(long from, long to, long max, string pid = Pid)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new ReplayMessages(from, to, max, pid, probe.Ref));
        var events = new List<IPersistentRepresentation>();
        while (true)
        {
            switch (probe.ReceiveOne(Timeouts.Expect))
            {
                case ReplayedMessage r: events.Add(r.Persistent); break;
                case RecoverySuccess s: return (events, s.HighestSequenceNr);
                case var other: throw new Xunit.Sdk.XunitException($"unexpected reply to ReplayMessages: {other}");
            }
        }
    }

    private List<long> ReplayedSeqNrs(long from, long to, long max, string pid = Pid) =>
        Replay(from, to, max, pid).Events.Select(e => e.SequenceNr).ToList();

    private static long[] Range(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i).ToArray();

    private void DeleteTo(long toSequenceNr)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo(Pid, toSequenceNr, probe.Ref));
        Assert.Equal(toSequenceNr, probe.ExpectMsg<DeleteMessagesSuccess>(Timeouts.Expect).ToSequenceNr);
    }

    [Fact]
    public void Journal_should_replay_all_messages()
    {
        var (events, highest) = Replay(1, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(1, 5), events.Select(e => e.SequenceNr));
        Assert.All(events, e =>
        {
            Assert.Equal("a-" + e.SequenceNr, e.Payload);
            Assert.Equal(Pid, e.PersistenceId);
            Assert.Equal(WriterGuid, e.WriterGuid);
            Assert.False(e.IsDeleted);
            Assert.InRange(e.Timestamp, DateTime.UtcNow.AddMinutes(-5).Ticks, DateTime.UtcNow.Ticks); // set on write
        });
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Journal_should_replay_messages_from_a_lower_bound() =>
        Assert.Equal(Range(3, 5), ReplayedSeqNrs(3, long.MaxValue, long.MaxValue));

    [Fact]
    public void Journal_should_replay_messages_to_an_upper_bound() =>
        Assert.Equal(Range(1, 3), ReplayedSeqNrs(1, 3, long.MaxValue));

    [Fact]
    public void Journal_should_replay_messages_with_a_count_limit() =>
        Assert.Equal(Range(1, 3), ReplayedSeqNrs(1, long.MaxValue, 3));

    [Fact]
    public void Journal_should_replay_messages_between_a_lower_and_an_upper_bound() =>
        Assert.Equal(Range(2, 3), ReplayedSeqNrs(2, 3, long.MaxValue));

    [Fact]
    public void Journal_should_replay_messages_between_bounds_with_a_count_limit() =>
        Assert.Equal(Range(2, 3), ReplayedSeqNrs(2, 5, 2));

    [Fact]
    public void Journal_should_replay_a_single_message_when_the_lower_bound_equals_the_upper_bound() =>
        Assert.Equal(new[] { 2L }, ReplayedSeqNrs(2, 2, long.MaxValue));

    [Fact]
    public void Journal_should_replay_a_single_message_when_the_count_limit_is_one() =>
        Assert.Equal(new[] { 2L }, ReplayedSeqNrs(2, 4, 1));

    [Fact]
    public void Journal_should_replay_nothing_when_the_count_limit_is_zero()
    {
        var (events, highest) = Replay(2, 4, 0);
        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Journal_should_replay_everything_when_the_count_limit_exceeds_the_int_range() =>
        Assert.Equal(Range(1, 5), ReplayedSeqNrs(1, long.MaxValue, int.MaxValue + 1L));

    [Fact]
    public void Journal_should_replay_nothing_when_the_lower_bound_exceeds_the_upper_bound() =>
        Assert.Empty(ReplayedSeqNrs(3, 2, long.MaxValue));

    [Fact]
    public void Journal_should_replay_nothing_for_an_unknown_persistence_id()
    {
        var (events, highest) = Replay(0, long.MaxValue, long.MaxValue, "never-written");
        Assert.Empty(events);
        Assert.Equal(0, highest);
    }

    [Fact]
    public void Journal_should_report_the_highest_sequence_number()
    {
        var (events, highest) = Replay(6, long.MaxValue, long.MaxValue);
        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Journal_should_not_replay_deleted_messages()
    {
        DeleteTo(3);
        Assert.Equal(Range(4, 5), ReplayedSeqNrs(1, long.MaxValue, long.MaxValue));
    }

    [Fact]
    public void Journal_should_keep_the_highest_sequence_number_after_deleting_some_messages()
    {
        DeleteTo(3);
        Assert.Equal(5, Replay(0, long.MaxValue, long.MaxValue).Highest);
    }

    [Fact]
    public void Journal_should_keep_the_highest_sequence_number_after_deleting_all_messages()
    {
        DeleteTo(long.MaxValue);
        var (events, highest) = Replay(0, long.MaxValue, long.MaxValue);
        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Journal_should_delete_to_a_sequence_number_beyond_the_highest_and_keep_writing_after_it()
    {
        DeleteTo(100);
        Assert.Empty(ReplayedSeqNrs(0, long.MaxValue, long.MaxValue));
        WriteAll(Pid, new AtomicWrite(Event(6)));
        var (events, highest) = Replay(0, long.MaxValue, long.MaxValue);
        Assert.Equal(new[] { 6L }, events.Select(e => e.SequenceNr));
        Assert.Equal(6, highest);
    }

    [Fact]
    public void Journal_should_write_an_atomic_write_of_several_events()
    {
        WriteAll(Pid, new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(6), Event(7), Event(8))));
        var (events, highest) = Replay(6, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(6, 8), events.Select(e => e.SequenceNr));
        Assert.Equal(8, highest);
    }

    [Fact]
    public void Journal_should_reject_a_non_serializable_event_and_write_the_others_of_the_batch()
    {
        var probe = CreateTestProbe();
        var writes = new[]
        {
            new AtomicWrite(Event(6, "b-6")),
            new AtomicWrite(Event(7, new NotSerializablePayload("b-7"))),
            new AtomicWrite(Event(8, "b-8")),
        };
        Journal.Tell(new WriteMessages(writes, probe.Ref, ActorInstanceId));
        probe.ExpectMsg<WriteMessagesSuccessful>(Timeouts.Expect);
        Assert.Equal(6, probe.ExpectMsg<WriteMessageSuccess>(Timeouts.Expect).Persistent.SequenceNr);
        var rejected = probe.ExpectMsg<WriteMessageRejected>(Timeouts.Expect);
        Assert.Equal(7, rejected.Persistent.SequenceNr);
        Assert.IsType<NotSerializablePayload>(rejected.Persistent.Payload);
        Assert.Contains("'" + Pid + "'", rejected.Cause.Message);
        Assert.Equal(8, probe.ExpectMsg<WriteMessageSuccess>(Timeouts.Expect).Persistent.SequenceNr);

        var (events, highest) = Replay(6, long.MaxValue, long.MaxValue);
        Assert.Equal(new[] { "b-6", "b-8" }, events.Select(e => e.Payload));
        Assert.Equal(8, highest);
    }

    [Fact]
    public void Journal_should_reject_a_whole_atomic_write_when_one_of_its_events_is_not_serializable()
    {
        var probe = CreateTestProbe();
        var write = new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(6), Event(7, new NotSerializablePayload("x"))));
        Journal.Tell(new WriteMessages(new[] { write }, probe.Ref, ActorInstanceId));
        probe.ExpectMsg<WriteMessagesSuccessful>(Timeouts.Expect);
        Assert.Equal(6, probe.ExpectMsg<WriteMessageRejected>(Timeouts.Expect).Persistent.SequenceNr);
        Assert.Equal(7, probe.ExpectMsg<WriteMessageRejected>(Timeouts.Expect).Persistent.SequenceNr);

        var (events, highest) = Replay(1, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(1, 5), events.Select(e => e.SequenceNr)); // nothing of the rejected write is stored
        Assert.Equal(5, highest);
    }

    [Fact]
    public void Journal_should_round_trip_event_payloads_with_their_serializer()
    {
        var payload = new TestEvent("hello", 42, TestActor);
        WriteAll(Pid, new AtomicWrite(Event(6, payload)));
        var replayed = Replay(6, 6, long.MaxValue).Events.Single();
        Assert.Equal(payload, replayed.Payload);
        Assert.Equal(WriterGuid, replayed.WriterGuid);
    }

    [Fact]
    public void Journal_should_keep_writes_of_one_persistence_id_in_order()
    {
        // Ten writes issued back to back without waiting: the highestSequenceNr SETs must land in order too.
        var probe = CreateTestProbe();
        for (var seqNr = 6; seqNr <= 15; seqNr++)
            Journal.Tell(new WriteMessages(new[] { new AtomicWrite(Event(seqNr)) }, probe.Ref, ActorInstanceId));
        var successes = new List<long>();
        for (var i = 0; i < 20; i++) // per write: WriteMessagesSuccessful, then its WriteMessageSuccess
        {
            var reply = probe.ReceiveOne(Timeouts.Expect);
            if (reply is WriteMessageSuccess s) successes.Add(s.Persistent.SequenceNr);
            else Assert.IsType<WriteMessagesSuccessful>(reply);
        }
        Assert.Equal(Range(6, 15), successes);

        var (events, highest) = Replay(1, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(1, 15), events.Select(e => e.SequenceNr));
        Assert.Equal(15, highest);
    }

    [Fact]
    public void Journal_should_read_the_highest_sequence_number_after_the_writes_in_flight()
    {
        var writer = CreateTestProbe();
        var events = Enumerable.Range(6, 50).Select(i => (IPersistentRepresentation)Event(i)).ToImmutableList();
        Journal.Tell(new WriteMessages(new[] { new AtomicWrite(events) }, writer.Ref, ActorInstanceId));
        // Sent right behind the write, before it has completed: the answer must already include it.
        var (replayed, highest) = Replay(0, long.MaxValue, 0);
        Assert.Empty(replayed);
        Assert.Equal(55, highest);
        writer.ExpectMsg<WriteMessagesSuccessful>(Timeouts.Expect);
    }
}
