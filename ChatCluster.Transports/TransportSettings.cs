namespace ChatCluster.Transports;

/// <summary>
/// The limits and texts the transports need, built by the node from HOCON (<c>chatcluster.tcp</c>,
/// <c>chatcluster.websocket</c>, <c>chatcluster.outbound</c>); defaults and reasons live in hocon/base.conf.
/// </summary>
public sealed record TransportSettings(
    string TcpWelcome,
    int TcpMaxLineBytes,
    string WebSocketWelcome,
    string PrimusPath,
    int WebSocketMaxMessageBytes,
    TimeSpan PingInterval,
    int OutboundMaxMessages,
    long OutboundMaxBytes,
    TimeSpan CloseTimeout)
{
    /// <summary>The session cookie / query parameter whose value becomes a websocket's fingerprint (<c>chatcluster.web.session-cookie.name</c>).</summary>
    public string SessionKey { get; init; } = SessionFingerprint.DefaultKey;
}
