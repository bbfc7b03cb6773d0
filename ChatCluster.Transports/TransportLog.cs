using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports;

/// <summary>Transport log lines, with stable event ids (grep-able at 3 a.m.).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(1001, LogLevel.Warning, "connection {ConnectionId} ({Type}) closed as a slow consumer: {Reason}: {QueuedBytes} bytes waiting (limit {MaxBytes}, chatcluster.outbound.max-bytes), oldest waiting {AgeMs} ms (limit {MaxAgeMs} ms, chatcluster.outbound.max-age); the client is not reading")]
    public static partial void OutboundOverflow(ILogger logger, string connectionId, string type, string reason, long queuedBytes, long maxBytes, long ageMs, long maxAgeMs);

    [LoggerMessage(1002, LogLevel.Information, "connection {ConnectionId} ({Type}) aborted: {Reason}")]
    public static partial void Aborted(ILogger logger, string connectionId, string type, string reason);

    [LoggerMessage(1003, LogLevel.Information, "tcp line of {Received} bytes dropped from {ConnectionId} (chatcluster.tcp.max-line-bytes = {Max})")]
    public static partial void LineTooLong(ILogger logger, string connectionId, long received, long max);

    [LoggerMessage(1004, LogLevel.Information, "websocket {ConnectionId} closed with {Code}: {Reason}")]
    public static partial void WebSocketProtocolClose(ILogger logger, string connectionId, int code, string reason);

    [LoggerMessage(1005, LogLevel.Information, "websocket {ConnectionId} missed its heartbeat (no pong within {IntervalMs} ms), closing")]
    public static partial void HeartbeatTimeout(ILogger logger, string connectionId, long intervalMs);

    [LoggerMessage(1006, LogLevel.Warning, "connection read loop of {ConnectionId} failed")]
    public static partial void ReadLoopFailed(ILogger logger, Exception exception, string connectionId);

    // 1101-1119: abuse guards (origin, assembly limits)
    [LoggerMessage(1101, LogLevel.Information, "websocket upgrade refused: origin {Origin} is not in chatcluster.websocket.allowed-origins")]
    public static partial void WebSocketOriginRefused(ILogger logger, string origin);
}
