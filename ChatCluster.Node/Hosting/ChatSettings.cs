using ChatCluster.Node.Redis;
using Akka.Configuration;
using ChatCluster.Transports;

namespace ChatCluster.Node.Hosting;

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
                OutboundMaxMessages: c.GetInt("outbound.max-messages"),
                OutboundMaxBytes: c.GetLong("outbound.max-bytes"),
                CloseTimeout: c.GetTimeSpan("close-timeout"))
            {
                WebSocketMaxFragments = Positive(c, "websocket.max-fragments"),
                BinaryEchoMaxBytes = NonNegative(c, "websocket.binary-echo-max-bytes"),
                AllowedOrigins = new OriginPolicy(c.GetStringList("websocket.allowed-origins")),
            },
            Redis: RedisChatSettings.Create(c.GetConfig("redis") ?? Akka.Configuration.ConfigurationFactory.Empty));
        settings.Validate();
        return settings;
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
        Check(FanoutPartitions >= 0, $"chatcluster.fanout-partitions must be 0 (one per core) or more, was {FanoutPartitions}");
        Check(FanoutInlineMaxMembers >= 0, $"chatcluster.fanout-inline-max-members must be 0 or more, was {FanoutInlineMaxMembers}");
        Check(FanoutLanes >= 0, $"chatcluster.fanout-lanes must be 0 (one per core) or more, was {FanoutLanes}");
        Check(MaxPendingActions > 0, $"chatcluster.actions.max-pending must be positive, was {MaxPendingActions}");
        Check(MiddlewareBufferSize > 0, $"chatcluster.middleware-pipeline.buffer-size must be positive, was {MiddlewareBufferSize}");
        Check(MiddlewareParallelism > 0, $"chatcluster.middleware-pipeline.parallelism must be positive, was {MiddlewareParallelism}");
        Check(Transport.PingInterval > TimeSpan.Zero, "chatcluster.websocket.ping-interval must be positive");
        Check(Transport.OutboundMaxMessages > 0, $"chatcluster.outbound.max-messages must be positive, was {Transport.OutboundMaxMessages}");
        Check(Transport.OutboundMaxBytes > 0, $"chatcluster.outbound.max-bytes must be positive, was {Transport.OutboundMaxBytes}");
        Check(Transport.PrimusPath.StartsWith('/'), $"chatcluster.websocket.path must start with '/', was {Transport.PrimusPath}");
        Check(System.Net.IPAddress.TryParse(Bind, out _) || Bind == "localhost", $"chatcluster.bind must be an IP address or localhost, was {Bind}");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ConfigurationException(message);
    }
}
