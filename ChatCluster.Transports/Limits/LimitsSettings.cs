namespace ChatCluster.Transports.Limits;

/// <summary>
/// <c>chatcluster.limits</c>: admission, timeouts and inbound rate limits. Defaults, units and reasons live in
/// hocon/base.conf; the node builds this record once at start and checks it.
/// </summary>
public sealed record LimitsSettings(
    int MaxConnections,
    int MaxConnectionsPerAddress,
    int FdHeadroom,
    int FdReserve,
    TimeSpan HandshakeTimeout,
    TimeSpan HttpKeepAliveTimeout,
    TimeSpan FirstRequestTimeout,
    TimeSpan AcceptBackoffMin,
    TimeSpan AcceptBackoffMax,
    TimeSpan AcceptLogInterval,
    int MaxRequestsInFlight,
    long InboundBytesPerSecond,
    long InboundBurstBytes,
    IReadOnlyList<SayRateRule> SayRates,
    int MaxViolations,
    TimeSpan ViolationWindow)
{
    /// <summary>How long a refused connection is kept to read the client's request and let it read the refusal
    /// (closing with unread input makes the kernel send a reset, and the client may never see our answer).</summary>
    public TimeSpan RefusalLinger => HandshakeTimeout < MaxRefusalLinger ? HandshakeTimeout : MaxRefusalLinger;

    // A refused socket is an fd we hold for nothing: never longer than this, whatever the handshake timeout.
    private static readonly TimeSpan MaxRefusalLinger = TimeSpan.FromSeconds(1);

    /// <summary>Generous limits for code that builds transports without a node (benchmarks, unit tests).</summary>
    public static readonly LimitsSettings Unlimited = new(
        MaxConnections: int.MaxValue, MaxConnectionsPerAddress: 0, FdHeadroom: 0, FdReserve: 0,
        HandshakeTimeout: TimeSpan.FromSeconds(10), HttpKeepAliveTimeout: TimeSpan.FromSeconds(130),
        FirstRequestTimeout: Timeout.InfiniteTimeSpan,
        AcceptBackoffMin: TimeSpan.FromMilliseconds(10), AcceptBackoffMax: TimeSpan.FromSeconds(1), AcceptLogInterval: TimeSpan.FromSeconds(10),
        MaxRequestsInFlight: int.MaxValue, InboundBytesPerSecond: 0, InboundBurstBytes: 0,
        SayRates: Array.Empty<SayRateRule>(), MaxViolations: 0, ViolationWindow: TimeSpan.FromSeconds(10));
}

/// <summary>One <c>say-rates</c> entry: says to rooms matching <paramref name="Pattern"/> (<c>*</c> = any run of
/// characters), at most <paramref name="PerSecond"/> sustained and <paramref name="Burst"/> at once, per connection.
/// A rate of 0 means no limit for those rooms.</summary>
public sealed record SayRateRule(string Pattern, double PerSecond, double Burst)
{
    public bool Matches(string room) => RoomPattern.Matches(Pattern, room);
}
