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

    /// <summary><c>chatcluster.websocket.max-fragments</c>: frames one websocket message may be split into.</summary>
    public int WebSocketMaxFragments { get; init; } = int.MaxValue;

    /// <summary><c>chatcluster.websocket.binary-echo-max-bytes</c>: larger binary messages get a short error instead of ActionHero's echo.</summary>
    public int BinaryEchoMaxBytes { get; init; } = int.MaxValue;

    /// <summary><c>chatcluster.websocket.allowed-origins</c>: who may open a websocket (any when the policy is open).</summary>
    public OriginPolicy AllowedOrigins { get; init; } = OriginPolicy.Any;

    /// <summary>The session cookie / query parameter whose value becomes a websocket's fingerprint (<c>chatcluster.web.session-cookie.name</c>).</summary>
    public string SessionKey { get; init; } = SessionFingerprint.DefaultKey;
}
