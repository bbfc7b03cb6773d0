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
