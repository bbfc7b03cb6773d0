namespace ChatCluster.Persistence.Redis;

/// <summary>
/// A storage or connection failure inside the Redis plugins. The message names the persistenceId and the
/// Redis key involved; the inner exception is StackExchange.Redis' own (timeout, connection, server error).
/// </summary>
public sealed class RedisPersistenceException : Exception
{
    public RedisPersistenceException(string message, Exception? inner = null) : base(message, inner) { }
}
