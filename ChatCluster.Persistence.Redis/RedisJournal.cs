using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Serialization;
using StackExchange.Redis;

namespace ChatCluster.Persistence.Redis;

/// <summary>
/// Akka.Persistence journal on Redis (layout in <see cref="RedisKeys"/>). Contract, from
/// <see cref="AsyncWriteJournal"/>:
/// <list type="bullet">
/// <item>each <see cref="AtomicWrite"/> is one MULTI/EXEC (ZADD of all its events + SET highestSequenceNr): all or nothing;</item>
/// <item>an AtomicWrite whose events cannot be serialized is <em>rejected</em> (its element of the returned list),
///   the others of the batch are still written; a Redis or connection failure <em>fails</em> the task;</item>
/// <item>writes of one persistenceId are issued one after the other (each waits for the previous one of that pid);</item>
/// <item>reading the highest sequence number waits for the writes in flight for that pid, so a restarting actor
///   never reuses sequence numbers (the write-in-progress map, as in Akka.Persistence.Sql);</item>
/// <item>deleting events keeps the highestSequenceNr key.</item>
/// </list>
/// </summary>
public sealed class RedisJournal : AsyncWriteJournal
{
    private readonly RedisPersistenceSettings _settings;
    private readonly RedisKeys _keys;
    private readonly RedisConnection _connection;
    private readonly ExtendedActorSystem _system;
    private readonly Serializer _persistentSerializer;

    // persistenceId -> the last write issued for it. Written on the actor thread (WriteMessagesAsync is called from
    // the journal's Receive); read by ReadHighestSequenceNrAsync and cleaned up from continuations, hence concurrent.
    private readonly ConcurrentDictionary<string, Task> _writesInProgress = new();

    public RedisJournal(Config config)
    {
        _settings = new RedisPersistenceSettings(config, Self.Path.Name);
        _keys = new RedisKeys(_settings.KeyPrefix);
        _connection = new RedisConnection(_settings);
        _system = (ExtendedActorSystem)Context.System;
        _persistentSerializer = _system.Serialization.FindSerializerForType(typeof(Persistent));
    }

    /// <summary>The settings in use (for diagnostics and tests).</summary>
    public RedisPersistenceSettings Settings => _settings;

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToArray();
        var results = new Task<Exception?>[writes.Length];
        // Everything up to issuing the Redis commands runs synchronously on the actor thread, in batch order.
        for (var i = 0; i < writes.Length; i++)
        {
            var write = writes[i];
            SortedSetEntry[] entries;
            try
            {
                entries = Serialize(write);
            }
            catch (Exception e)
            {
                results[i] = Task.FromResult<Exception?>(new System.Runtime.Serialization.SerializationException(
                    $"rejected events {write.LowestSequenceNr}..{write.HighestSequenceNr} of persistenceId '{write.PersistenceId}': cannot serialize: {e.Message}", e));
                continue;
            }
            _writesInProgress.TryGetValue(write.PersistenceId, out var previous);
            var task = WriteAtomicAsync(previous, write, entries);
            _writesInProgress[write.PersistenceId] = task;
            ForgetWhenDone(write.PersistenceId, task);
            results[i] = task.ContinueWith<Exception?>(t =>
            {
                if (t.IsFaulted) throw t.Exception!.InnerExceptions.Count == 1 ? t.Exception.InnerException! : t.Exception;
                return null;
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return CollectAsync(results);
    }

    private static async Task<IImmutableList<Exception>> CollectAsync(Task<Exception?>[] results)
    {
        // Any storage failure fails the whole call (the contract: never report a store problem as a rejection).
        var outcome = await Task.WhenAll(results).ConfigureAwait(false);
        return outcome.All(e => e is null) ? null! : ImmutableList.CreateRange<Exception>(outcome!);
    }

    private SortedSetEntry[] Serialize(AtomicWrite write)
    {
        var events = (IImmutableList<IPersistentRepresentation>)write.Payload;
        var timestamp = DateTime.UtcNow.Ticks;
        var entries = new SortedSetEntry[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var p = events[i].WithTimestamp(timestamp);
            var bytes = Serialization.WithTransport(_system, () => _persistentSerializer.ToBinary(p));
            entries[i] = new SortedSetEntry(bytes, p.SequenceNr);
        }
        return entries;
    }

    private async Task WriteAtomicAsync(Task? previous, AtomicWrite write, SortedSetEntry[] entries)
    {
        if (previous is not null) await IgnoreOutcome(previous).ConfigureAwait(false); // keep per-pid order
        var pid = write.PersistenceId;
        var eventsKey = _keys.Events(pid);
        try
        {
            var db = await _connection.DatabaseAsync().ConfigureAwait(false);
            var tx = db.CreateTransaction();
            var add = tx.SortedSetAddAsync(eventsKey, entries);
            var set = tx.StringSetAsync(_keys.HighestSequenceNr(pid), write.HighestSequenceNr);
            if (!await tx.ExecuteAsync().ConfigureAwait(false))
                throw new RedisPersistenceException($"MULTI/EXEC writing '{eventsKey}' was not committed");
            await Task.WhenAll(add, set).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException(
                $"writing events {write.LowestSequenceNr}..{write.HighestSequenceNr} of persistenceId '{pid}' to '{eventsKey}' failed: {e.Message}", e);
        }
    }

    private void ForgetWhenDone(string persistenceId, Task task) =>
        task.ContinueWith(
            t => _writesInProgress.TryRemove(new KeyValuePair<string, Task>(persistenceId, t)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static Task IgnoreOutcome(Task task) =>
        task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_writesInProgress.TryGetValue(persistenceId, out var inFlight))
            await IgnoreOutcome(inFlight).ConfigureAwait(false);
        var key = _keys.HighestSequenceNr(persistenceId);
        try
        {
            var db = await _connection.DatabaseAsync().ConfigureAwait(false);
            var value = await db.StringGetAsync(key).ConfigureAwait(false);
            return value.IsNull ? 0L : (long)value;
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException($"reading the highest sequenceNr of persistenceId '{persistenceId}' from '{key}' failed: {e.Message}", e);
        }
    }

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr,
        long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0 || fromSequenceNr > toSequenceNr) return;
        var key = _keys.Events(persistenceId);
        RedisValue[] members;
        try
        {
            var db = await _connection.DatabaseAsync().ConfigureAwait(false);
            // LIMIT 0 max; a max beyond the range (long.MaxValue on a normal recovery) means "no limit" (-1).
            var take = max > toSequenceNr - fromSequenceNr ? -1L : max;
            members = await db.SortedSetRangeByScoreAsync(key, fromSequenceNr, toSequenceNr, Exclude.None, Order.Ascending, 0, take)
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException(
                $"replaying events {fromSequenceNr}..{toSequenceNr} of persistenceId '{persistenceId}' from '{key}' failed: {e.Message}", e);
        }
        foreach (var member in members)
        {
            IPersistentRepresentation p;
            try
            {
                p = (IPersistentRepresentation)_persistentSerializer.FromBinary((byte[])member!, typeof(Persistent));
            }
            catch (Exception e)
            {
                throw new RedisPersistenceException($"cannot deserialize an event of persistenceId '{persistenceId}' in '{key}': {e.Message}", e);
            }
            recoveryCallback(p);
        }
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        var key = _keys.Events(persistenceId);
        try
        {
            var db = await _connection.DatabaseAsync().ConfigureAwait(false);
            // -inf..toSequenceNr; the highestSequenceNr key stays so the next write does not reuse numbers.
            await db.SortedSetRemoveRangeByScoreAsync(key, double.NegativeInfinity, toSequenceNr).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException($"deleting events up to {toSequenceNr} of persistenceId '{persistenceId}' from '{key}' failed: {e.Message}", e);
        }
    }

    protected override void PostStop()
    {
        _connection.Dispose();
        base.PostStop();
    }
}
