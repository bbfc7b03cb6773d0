using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Redis;

/// <summary>Redis adapter lines an operator greps for (event ids 2100+).</summary>
public static partial class RedisLog
{
    [LoggerMessage(2101, LogLevel.Warning, "redis {Role} {Endpoint} ({Type}) connection lost: {Failure}; local chat goes on, reconnecting in the background")]
    public static partial void ConnectionLost(ILogger logger, string role, System.Net.EndPoint? endpoint, StackExchange.Redis.ConnectionType type, StackExchange.Redis.ConnectionFailureType failure);

    [LoggerMessage(2102, LogLevel.Information, "redis {Role} {Endpoint} ({Type}) reconnected")]
    public static partial void ConnectionRegained(ILogger logger, string role, System.Net.EndPoint? endpoint, StackExchange.Redis.ConnectionType type);

    [LoggerMessage(2103, LogLevel.Warning, "redis SUBSCRIBE {Channel} failed: {Error}; chat from ActionHero nodes is not received until it succeeds, next try in {RetryMs} ms")]
    public static partial void SubscribeFailed(ILogger logger, string channel, string error, long retryMs);

    [LoggerMessage(2104, LogLevel.Information, "redis SUBSCRIBE {Channel} succeeded after earlier failures; chat from ActionHero nodes is received")]
    public static partial void Subscribed(ILogger logger, string channel);
}
