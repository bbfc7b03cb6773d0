namespace ChatCluster.Transports;

/// <summary>
/// The limits and texts the transports need, built by the node from HOCON (<c>chatcluster.tcp</c>,
/// <c>chatcluster.websocket</c>, <c>chatcluster.outbound</c>, <c>chatcluster.limits</c>); defaults and reasons live in
/// hocon/base.conf.
/// </summary>
public sealed record TransportSettings(
    string TcpWelcome,
    int TcpMaxLineBytes,
    string WebSocketWelcome,
    string PrimusPath,
    int WebSocketMaxMessageBytes,
    TimeSpan PingInterval,
    long OutboundMaxBytes,
    TimeSpan OutboundMaxAge,
    TimeSpan CloseTimeout)
{
    /// <summary>Admission, timeouts and inbound rate limits; <see cref="Limits.LimitsSettings.Unlimited"/> unless the node sets them.</summary>
    public Limits.LimitsSettings Limits { get; init; } = ChatCluster.Transports.Limits.LimitsSettings.Unlimited;
}
