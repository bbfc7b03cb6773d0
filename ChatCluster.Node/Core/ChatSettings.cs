using Akka.Configuration;
using ChatCluster.Transports;
using ChatCluster.Transports.Limits;

namespace ChatCluster.Node.Core;

/// <summary>The <c>chatcluster</c> section of the configuration, checked once at startup.</summary>
public sealed record ChatSettings(
    string Bind,
    IReadOnlyList<string> StartingRooms,
    bool TcpEnabled,
    int TcpPort,
    bool WebEnabled,
    int WebPort,
    int ShardCount,
    TimeSpan RoomAskTimeout,
    TimeSpan PassivateIdleAfter,
    TimeSpan PassivateMissingAfter,
    TimeSpan RegistryWriteTimeout,
    TimeSpan RegistryReadTimeout,
    bool JournalIsShared,
    bool PresenceEvents,
    TimeSpan SayRetryInterval,
    TimeSpan SayRetryTimeout,
    int SayMaxAttempts,
    int MaxPendingActions,
    int FanoutPartitions,
    int FanoutLanes,
    int FanoutInlineMaxMembers,
    bool InlineSocketScheduling,
    bool SocketWaitForData,
    IReadOnlyList<string> Middleware,
    int MiddlewareBufferSize,
    int MiddlewareParallelism,
    TransportSettings Transport,
    RedisChatSettings Redis)
{
    public static ChatSettings Create(Config root)
    {
        var c = root.GetConfig("chatcluster") ?? throw new ConfigurationException("missing section: chatcluster");
        var settings = new ChatSettings(
            Bind: c.GetString("bind"),
            StartingRooms: c.GetStringList("starting-rooms").ToArray(),
            TcpEnabled: c.GetBoolean("tcp.enabled"),
            TcpPort: c.GetInt("tcp.port"),
            WebEnabled: c.GetBoolean("websocket.enabled"),
            WebPort: c.GetInt("websocket.port"),
            ShardCount: c.GetInt("rooms.shard-count"),
            RoomAskTimeout: c.GetTimeSpan("rooms.ask-timeout"),
            PassivateIdleAfter: c.GetTimeSpan("rooms.passivate-idle-after"),
            PassivateMissingAfter: c.GetTimeSpan("rooms.passivate-missing-after"),
            RegistryWriteTimeout: c.GetTimeSpan("rooms.registry-write-timeout"),
            RegistryReadTimeout: c.GetTimeSpan("rooms.registry-read-timeout"),
            JournalIsShared: c.GetBoolean("rooms.journal-is-shared"),
            PresenceEvents: c.GetBoolean("rooms.presence-events"),
            SayRetryInterval: c.GetTimeSpan("rooms.say-retry-interval"),
            SayRetryTimeout: c.GetTimeSpan("rooms.say-retry-timeout"),
            SayMaxAttempts: c.GetInt("rooms.say-max-attempts"),
            MaxPendingActions: c.GetInt("actions.max-pending"),
            FanoutPartitions: c.GetInt("fanout-partitions"),
            FanoutLanes: c.GetInt("fanout-lanes"),
            FanoutInlineMaxMembers: c.GetInt("fanout-inline-max-members"),
            InlineSocketScheduling: c.GetBoolean("sockets.inline-scheduling"),
            SocketWaitForData: c.GetBoolean("sockets.wait-for-data"),
            Middleware: c.GetStringList("middleware").ToArray(),
            MiddlewareBufferSize: c.GetInt("middleware-pipeline.buffer-size"),
            MiddlewareParallelism: c.GetInt("middleware-pipeline.parallelism"),
            Transport: new TransportSettings(
                TcpWelcome: c.GetString("tcp.welcome"),
                TcpMaxLineBytes: Bytes(c, "tcp.max-line-bytes"),
                WebSocketWelcome: c.GetString("websocket.welcome"),
                PrimusPath: c.GetString("websocket.path"),
                WebSocketMaxMessageBytes: Bytes(c, "websocket.max-message-bytes"),
                PingInterval: c.GetTimeSpan("websocket.ping-interval"),
                OutboundMaxBytes: c.GetLong("outbound.max-bytes"),
                OutboundMaxAge: c.GetTimeSpan("outbound.max-age"),
                CloseTimeout: c.GetTimeSpan("close-timeout"))
            {
                Limits = ReadLimits(c),
                WebSocketMaxFragments = Positive(c, "websocket.max-fragments"),
                BinaryEchoMaxBytes = NonNegative(c, "websocket.binary-echo-max-bytes"),
                AllowedOrigins = new OriginPolicy(c.GetStringList("websocket.allowed-origins")),
            },
            Redis: RedisChatSettings.Create(c.GetConfig("redis") ?? Akka.Configuration.ConfigurationFactory.Empty));
        settings.Validate();
        return settings;
    }

    private static LimitsSettings ReadLimits(Config c) => new(
        MaxConnections: c.GetInt("limits.max-connections"),
        MaxConnectionsPerAddress: c.GetInt("limits.max-connections-per-address"),
        FdHeadroom: c.GetInt("limits.fd-headroom"),
        FdReserve: c.GetInt("limits.fd-reserve"),
        HandshakeTimeout: c.GetTimeSpan("limits.handshake-timeout"),
        HttpKeepAliveTimeout: c.GetTimeSpan("limits.http-keep-alive-timeout"),
        FirstRequestTimeout: c.GetTimeSpan("limits.first-request-timeout"),
        AcceptBackoffMin: c.GetTimeSpan("limits.accept-backoff-min"),
        AcceptBackoffMax: c.GetTimeSpan("limits.accept-backoff-max"),
        AcceptLogInterval: c.GetTimeSpan("limits.accept-log-interval"),
        MaxRequestsInFlight: c.GetInt("limits.max-requests-in-flight"),
        InboundBytesPerSecond: c.GetLong("limits.inbound-bytes-per-second"),
        InboundBurstBytes: c.GetLong("limits.inbound-burst-bytes"),
        SayRates: c.GetValue("limits.say-rates").GetArray().Select((v, i) => SayRate(v.GetObject(), i)).ToArray(),
        MaxViolations: c.GetInt("limits.max-violations"),
        ViolationWindow: c.GetTimeSpan("limits.violation-window"));

    private static SayRateRule SayRate(Akka.Configuration.Hocon.HoconObject entry, int index)
    {
        var fields = entry.Items;
        string Field(string name) => fields.TryGetValue(name, out var v) ? v.GetString()
            : throw new ConfigurationException($"chatcluster.limits.say-rates[{index}] needs `{name}`");
        var pattern = Field("pattern");
        if (!double.TryParse(Field("per-second"), System.Globalization.CultureInfo.InvariantCulture, out var perSecond) || perSecond < 0)
            throw new ConfigurationException($"chatcluster.limits.say-rates[{index}].per-second must be a number >= 0, was {Field("per-second")}");
        if (!double.TryParse(Field("burst"), System.Globalization.CultureInfo.InvariantCulture, out var burst) || burst < 1)
            throw new ConfigurationException($"chatcluster.limits.say-rates[{index}].burst must be a number >= 1, was {Field("burst")}");
        return new SayRateRule(pattern, perSecond, burst);
    }

    private static int Positive(Config c, string path)
    {
        var value = c.GetLong(path);
        if (value is <= 0 or > int.MaxValue)
            throw new ConfigurationException($"chatcluster.{path} must be between 1 and {int.MaxValue}, was {value}");
        return (int)value;
    }

    private static int NonNegative(Config c, string path)
    {
        var value = c.GetLong(path);
        if (value is < 0 or > int.MaxValue)
            throw new ConfigurationException($"chatcluster.{path} must be between 0 and {int.MaxValue}, was {value}");
        return (int)value;
    }

    private static int Bytes(Config c, string path)
    {
        var value = c.GetLong(path);
        if (value is <= 0 or > int.MaxValue)
            throw new ConfigurationException($"chatcluster.{path} must be between 1 and {int.MaxValue} bytes, was {value}");
        return (int)value;
    }

    private void Validate()
    {
        Check(TcpPort is >= 0 and <= 65535, $"chatcluster.tcp.port must be 0..65535, was {TcpPort}");
        Check(WebPort is >= 0 and <= 65535, $"chatcluster.websocket.port must be 0..65535, was {WebPort}");
        Check(ShardCount > 0, $"chatcluster.rooms.shard-count must be positive, was {ShardCount}");
        Check(RoomAskTimeout > TimeSpan.Zero, "chatcluster.rooms.ask-timeout must be positive");
        Check(SayRetryInterval > TimeSpan.Zero, "chatcluster.rooms.say-retry-interval must be positive");
        Check(SayRetryTimeout >= SayRetryInterval, "chatcluster.rooms.say-retry-timeout must be at least chatcluster.rooms.say-retry-interval");
        Check(SayMaxAttempts > 0, $"chatcluster.rooms.say-max-attempts must be positive, was {SayMaxAttempts}");
        Check(FanoutPartitions >= 0, $"chatcluster.fanout-partitions must be 0 (one per core) or more, was {FanoutPartitions}");
        Check(FanoutInlineMaxMembers >= 0, $"chatcluster.fanout-inline-max-members must be 0 or more, was {FanoutInlineMaxMembers}");
        Check(FanoutLanes >= 0, $"chatcluster.fanout-lanes must be 0 (one per core) or more, was {FanoutLanes}");
        Check(MaxPendingActions > 0, $"chatcluster.actions.max-pending must be positive, was {MaxPendingActions}");
        Check(MiddlewareBufferSize > 0, $"chatcluster.middleware-pipeline.buffer-size must be positive, was {MiddlewareBufferSize}");
        Check(MiddlewareParallelism > 0, $"chatcluster.middleware-pipeline.parallelism must be positive, was {MiddlewareParallelism}");
        Check(Transport.PingInterval > TimeSpan.Zero, "chatcluster.websocket.ping-interval must be positive");
        Check(Transport.OutboundMaxAge > TimeSpan.Zero, $"chatcluster.outbound.max-age must be positive, was {Transport.OutboundMaxAge}");
        var l = Transport.Limits;
        Check(l.MaxConnections > 0, $"chatcluster.limits.max-connections must be positive, was {l.MaxConnections}");
        Check(l.MaxConnectionsPerAddress >= 0, $"chatcluster.limits.max-connections-per-address must be 0 (no limit) or more, was {l.MaxConnectionsPerAddress}");
        Check(l.FdReserve >= 0, $"chatcluster.limits.fd-reserve must be 0 or more, was {l.FdReserve}");
        Check(l.FdHeadroom >= 0, $"chatcluster.limits.fd-headroom must be 0 or more, was {l.FdHeadroom}");
        Check(l.HandshakeTimeout > TimeSpan.Zero, "chatcluster.limits.handshake-timeout must be positive");
        Check(l.HttpKeepAliveTimeout > TimeSpan.Zero, "chatcluster.limits.http-keep-alive-timeout must be positive");
        Check(l.FirstRequestTimeout > TimeSpan.Zero, "chatcluster.limits.first-request-timeout must be positive");
        Check(l.AcceptBackoffMin > TimeSpan.Zero && l.AcceptBackoffMax >= l.AcceptBackoffMin,
            "chatcluster.limits.accept-backoff-min must be positive and accept-backoff-max at least as long");
        Check(l.AcceptLogInterval > TimeSpan.Zero, "chatcluster.limits.accept-log-interval must be positive");
        Check(l.MaxRequestsInFlight > 0, $"chatcluster.limits.max-requests-in-flight must be positive, was {l.MaxRequestsInFlight}");
        Check(l.InboundBytesPerSecond >= 0, $"chatcluster.limits.inbound-bytes-per-second must be 0 (no limit) or more, was {l.InboundBytesPerSecond}");
        Check(l.InboundBytesPerSecond == 0 || l.InboundBurstBytes >= Transport.TcpMaxLineBytes,
            $"chatcluster.limits.inbound-burst-bytes must be at least chatcluster.tcp.max-line-bytes ({Transport.TcpMaxLineBytes}), was {l.InboundBurstBytes}");
        Check(l.MaxViolations >= 0, $"chatcluster.limits.max-violations must be 0 (never disconnect) or more, was {l.MaxViolations}");
        Check(l.ViolationWindow > TimeSpan.Zero, "chatcluster.limits.violation-window must be positive");
        Check(Transport.OutboundMaxBytes > 0, $"chatcluster.outbound.max-bytes must be positive, was {Transport.OutboundMaxBytes}");
        Check(Transport.PrimusPath.StartsWith('/'), $"chatcluster.websocket.path must start with '/', was {Transport.PrimusPath}");
        Check(System.Net.IPAddress.TryParse(Bind, out _) || Bind == "localhost", $"chatcluster.bind must be an IP address or localhost, was {Bind}");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ConfigurationException(message);
    }
}
