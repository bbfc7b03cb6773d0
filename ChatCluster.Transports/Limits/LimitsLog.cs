using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Limits;

/// <summary>Log lines of admission and rate limits, with stable event ids (1101-1199).</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(1101, LogLevel.Warning, "refusing connections: last from {Address} ({Verdict}); {Open} open, limits {MaxConnections} per node / {MaxPerAddress} per address (chatcluster.limits); {Refused} refused since start (logged once per accept-log-interval)")]
    public static partial void ConnectionRefused(ILogger logger, string address, string verdict, int open, int maxConnections, int maxPerAddress, long refused);

    [LoggerMessage(1102, LogLevel.Warning, "accept on {EndPoint} failed {Failures} times in the last {IntervalMs} ms ({Error}): out of file descriptors or buffers; backing off {BackoffMs} ms between attempts (chatcluster.limits.accept-backoff-*); {Open} sockets open, at most {Ceiling} sockets from now on (the rest of the descriptors stay with the runtime, chatcluster.limits.fd-reserve)")]
    public static partial void AcceptFailing(ILogger logger, string endPoint, long failures, long intervalMs, string error, long backoffMs, int open, string ceiling);

    [LoggerMessage(1103, LogLevel.Information, "accept on {EndPoint} works again after {Failures} failures")]
    public static partial void AcceptRecovered(ILogger logger, string endPoint, long failures);

    [LoggerMessage(1104, LogLevel.Information, "connection {ConnectionId} ({Type}) closed: {Reason}")]
    public static partial void ClosedByLimit(ILogger logger, string connectionId, string type, string reason);

    [LoggerMessage(1105, LogLevel.Warning, "sockets use the shared array pool, not Kestrel's block pool: this ASP.NET Core version does not let SocketConnectionFactoryOptions take a pool factory (more CPU per message under load; see KestrelBlockPool)")]
    public static partial void BlockPoolUnavailable(ILogger logger);
}
