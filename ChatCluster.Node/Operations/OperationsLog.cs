using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Operations;

/// <summary>
/// Log lines an operator greps for, with stable event ids (2xxx: node operations; the transports' are 1xxx, e.g.
/// 1001 slow consumer disconnected).
/// </summary>
public static partial class OperationsLog
{
    [LoggerMessage(2001, LogLevel.Information, "connection refused ({Transport} from {Remote}): the node is draining; the client got its goodbye")]
    public static partial void ConnectionRefusedDraining(ILogger logger, string transport, string remote);

    [LoggerMessage(2002, LogLevel.Information, "cluster member removed: {Address} (was {PreviousStatus})")]
    public static partial void MemberRemoved(ILogger logger, string address, string previousStatus);

    [LoggerMessage(2003, LogLevel.Information, "cluster member up: {Address}")]
    public static partial void MemberUp(ILogger logger, string address);

    [LoggerMessage(2004, LogLevel.Warning, "cluster member unreachable: {Address}")]
    public static partial void MemberUnreachable(ILogger logger, string address);

    [LoggerMessage(2010, LogLevel.Information, "drain: not ready; waiting {DelayMs} ms for load balancers (chatcluster.drain.unready-delay)")]
    public static partial void DrainUnready(ILogger logger, long delayMs);

    [LoggerMessage(2011, LogLevel.Information, "drain: saying goodbye to {Count} connections")]
    public static partial void DrainGoodbyes(ILogger logger, int count);

    [LoggerMessage(2012, LogLevel.Warning, "drain: {Count} connections still open after {TimeoutMs} ms (chatcluster.close-timeout); they are cut")]
    public static partial void DrainTimedOut(ILogger logger, int count, long timeoutMs);

    [LoggerMessage(2020, LogLevel.Information, "management listener on http://{Host}:{Port} (/metrics, /healthz/live, /healthz/ready)")]
    public static partial void ManagementListening(ILogger logger, string host, int port);

    [LoggerMessage(2021, LogLevel.Warning, "room shard region did not report its state within {TimeoutMs} ms; /metrics keeps the previous figures")]
    public static partial void ShardStatsTimedOut(ILogger logger, long timeoutMs);
}

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
