namespace ChatCluster.Persistence.Redis;

/// <summary>
/// The Redis key layout (the same as Akka.Persistence.Redis 1.4.16+ outside Redis Cluster mode):
/// <code>
///   {prefix}journal:persisted:{pid}                    ZSET   score = sequenceNr, member = serialized Persistent
///   {prefix}journal:persisted:{pid}:highestSequenceNr  STRING highest sequenceNr written; survives deletes
///   {prefix}snapshot:{pid}                             ZSET   score = sequenceNr, member = SnapshotEnvelope bytes
/// </code>
/// Scores are doubles, so sequence numbers are exact up to 2^53 (far beyond any real journal).
/// </summary>
public sealed class RedisKeys
{
    private readonly string _prefix;

    public RedisKeys(string prefix) => _prefix = prefix;

    /// <summary>The events of <paramref name="persistenceId"/>.</summary>
    public string Events(string persistenceId) => $"{_prefix}journal:persisted:{persistenceId}";

    /// <summary>The highest sequence number ever written for <paramref name="persistenceId"/>.</summary>
    public string HighestSequenceNr(string persistenceId) => $"{_prefix}journal:persisted:{persistenceId}:highestSequenceNr";

    /// <summary>The snapshots of <paramref name="persistenceId"/>.</summary>
    public string Snapshots(string persistenceId) => $"{_prefix}snapshot:{persistenceId}";
}
