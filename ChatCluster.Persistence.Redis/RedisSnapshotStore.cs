using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Akka.Serialization;
using StackExchange.Redis;

namespace ChatCluster.Persistence.Redis;

/// <summary>
/// Akka.Persistence snapshot store on Redis: one ZSET per persistenceId (<see cref="RedisKeys.Snapshots"/>),
/// score = sequenceNr, member = <see cref="SnapshotEnvelope"/>. At most one snapshot per sequenceNr: a save
/// replaces the one with the same number in the same MULTI/EXEC.
/// </summary>
public sealed class RedisSnapshotStore : SnapshotStore
{
    // Loads walk the candidates newest first in pages: the newest one nearly always matches, and snapshots can be
    // large, so fetching every candidate at once would move megabytes for one result.
    private const int LoadPageSize = 4;

    private readonly RedisPersistenceSettings _settings;
    private readonly RedisKeys _keys;
    private readonly RedisConnection _connection;
    private readonly ExtendedActorSystem _system;

    public RedisSnapshotStore(Config config)
    {
        _settings = new RedisPersistenceSettings(config, Self.Path.Name);
        _keys = new RedisKeys(_settings.KeyPrefix);
        _connection = new RedisConnection(_settings);
        _system = (ExtendedActorSystem)Context.System;
    }

    /// <summary>The settings in use (for diagnostics and tests).</summary>
    public RedisPersistenceSettings Settings => _settings;

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        var key = _keys.Snapshots(persistenceId);
        if (criteria.MaxSequenceNr < criteria.MinSequenceNr) return null;
        var db = await DatabaseAsync(key, persistenceId).ConfigureAwait(false);
        for (long skip = 0; ; skip += LoadPageSize)
        {
            RedisValue[] page;
            try
            {
                page = await db.SortedSetRangeByScoreAsync(key, criteria.MinSequenceNr, criteria.MaxSequenceNr,
                    Exclude.None, Order.Descending, skip, LoadPageSize).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new RedisPersistenceException($"loading a snapshot of persistenceId '{persistenceId}' from '{key}' failed: {e.Message}", e);
            }
            foreach (var member in page)
            {
                var envelope = SnapshotEnvelope.FromBytes((byte[])member!, key);
                if (!Matches(criteria, envelope)) continue;
                return new SelectedSnapshot(
                    new SnapshotMetadata(envelope.PersistenceId, envelope.SequenceNr, new DateTime(envelope.TimestampTicks, DateTimeKind.Utc)),
                    Deserialize(envelope, key));
            }
            if (page.Length < LoadPageSize) return null;
        }
    }

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var key = _keys.Snapshots(metadata.PersistenceId);
        // Serialization problems surface as SaveSnapshotFailure with the pid named; they are not Redis failures.
        var envelope = Serialize(metadata, snapshot, key);
        var db = await DatabaseAsync(key, metadata.PersistenceId).ConfigureAwait(false);
        try
        {
            var tx = db.CreateTransaction();
            var remove = tx.SortedSetRemoveRangeByScoreAsync(key, metadata.SequenceNr, metadata.SequenceNr);
            var add = tx.SortedSetAddAsync(key, envelope.ToBytes(), metadata.SequenceNr);
            if (!await tx.ExecuteAsync().ConfigureAwait(false))
                throw new RedisPersistenceException($"MULTI/EXEC saving into '{key}' was not committed");
            await Task.WhenAll(remove, add).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RedisPersistenceException)
        {
            throw new RedisPersistenceException(
                $"saving snapshot {metadata.SequenceNr} of persistenceId '{metadata.PersistenceId}' into '{key}' failed: {e.Message}", e);
        }
    }

    protected override async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken)
    {
        // There is at most one snapshot per sequenceNr, so the number identifies it (the TCK ignores the timestamp too).
        var key = _keys.Snapshots(metadata.PersistenceId);
        var db = await DatabaseAsync(key, metadata.PersistenceId).ConfigureAwait(false);
        try
        {
            await db.SortedSetRemoveRangeByScoreAsync(key, metadata.SequenceNr, metadata.SequenceNr).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException(
                $"deleting snapshot {metadata.SequenceNr} of persistenceId '{metadata.PersistenceId}' from '{key}' failed: {e.Message}", e);
        }
    }

    protected override async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        var key = _keys.Snapshots(persistenceId);
        if (criteria.MaxSequenceNr < criteria.MinSequenceNr) return;
        var db = await DatabaseAsync(key, persistenceId).ConfigureAwait(false);
        try
        {
            // Sequence bounds in Redis, timestamp bounds here; then remove exactly the matching members.
            var candidates = await db.SortedSetRangeByScoreAsync(key, criteria.MinSequenceNr, criteria.MaxSequenceNr).ConfigureAwait(false);
            var doomed = candidates.Where(m => Matches(criteria, SnapshotEnvelope.FromBytes((byte[])m!, key))).ToArray();
            if (doomed.Length > 0) await db.SortedSetRemoveAsync(key, doomed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RedisPersistenceException)
        {
            throw new RedisPersistenceException($"deleting snapshots of persistenceId '{persistenceId}' from '{key}' failed: {e.Message}", e);
        }
    }

    private static bool Matches(SnapshotSelectionCriteria criteria, SnapshotEnvelope envelope) =>
        envelope.SequenceNr <= criteria.MaxSequenceNr
        && envelope.SequenceNr >= criteria.MinSequenceNr
        && envelope.TimestampTicks <= criteria.MaxTimeStamp.Ticks
        && (criteria.MinTimestamp is not { } min || envelope.TimestampTicks >= min.Ticks);

    private SnapshotEnvelope Serialize(SnapshotMetadata metadata, object snapshot, string key)
    {
        try
        {
            var serializer = _system.Serialization.FindSerializerFor(snapshot);
            var payload = Serialization.WithTransport(_system, () => serializer.ToBinary(snapshot));
            var manifest = Serialization.ManifestFor(serializer, snapshot);
            return new SnapshotEnvelope(metadata.PersistenceId, metadata.SequenceNr, metadata.Timestamp.Ticks, serializer.Identifier, manifest, payload);
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException(
                $"cannot serialize snapshot {metadata.SequenceNr} of persistenceId '{metadata.PersistenceId}' ({snapshot.GetType().FullName}) for '{key}': {e.Message}", e);
        }
    }

    private object Deserialize(SnapshotEnvelope envelope, string key)
    {
        try
        {
            return _system.Serialization.Deserialize(envelope.Payload, envelope.SerializerId, envelope.Manifest);
        }
        catch (Exception e)
        {
            throw new RedisPersistenceException(
                $"cannot deserialize snapshot {envelope.SequenceNr} of persistenceId '{envelope.PersistenceId}' in '{key}' (serializer {envelope.SerializerId}, manifest \"{envelope.Manifest}\"): {e.Message}", e);
        }
    }

    private async Task<IDatabase> DatabaseAsync(string key, string persistenceId)
    {
        try
        {
            return await _connection.DatabaseAsync().ConfigureAwait(false);
        }
        catch (RedisPersistenceException e)
        {
            throw new RedisPersistenceException($"persistenceId '{persistenceId}', key '{key}': {e.Message}", e);
        }
    }

    protected override void PostStop()
    {
        _connection.Dispose();
        base.PostStop();
    }
}
