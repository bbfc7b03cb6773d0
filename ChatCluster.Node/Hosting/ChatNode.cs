using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using ChatCluster.Messages;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Actions.BuiltIn;
using ChatCluster.Node.Api;
using ChatCluster.Node.Middleware;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Redis;
using ChatCluster.Node.Rooms;
using ChatCluster.Node.Web;
using ChatCluster.Transports.Primus;
using ChatCluster.Transports.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// One running ChatCluster node: the actor system (a cluster, possibly of one), the room shard region,
/// the node's fan-out, and Kestrel serving the TCP socket server and the web port (Primus websocket).
/// </summary>
public sealed class ChatNode : IAsyncDisposable
{
    private readonly WebApplication? _web;
    private readonly PrimusHeartbeat? _heartbeat;
    private int _stopped;

    private ChatNode(ActorSystem system, ChatSettings settings, NodeServices services, ChatApi api, WebApplication? web,
        PrimusHeartbeat? heartbeat, int tcpPort, int webPort, ILogger logger, RedisChatAdapter? redis)
    {
        Redis = redis;
        System = system;
        Settings = settings;
        Services = services;
        Api = api;
        _web = web;
        _heartbeat = heartbeat;
        TcpPort = tcpPort;
        WebPort = webPort;
        Logger = logger;
    }

    public ActorSystem System { get; }

    public ChatSettings Settings { get; }

    public NodeServices Services { get; }

    public ChatApi Api { get; }

    /// <summary>Register chat and connection middleware here (takes effect for the next message).</summary>
    public MiddlewareRegistry Middleware => Services.Middleware.Registry;

    /// <summary>Register actions here.</summary>
    public ActionRegistry Actions => Services.Actions.Registry;

    /// <summary>The bound TCP port (the real one when configured as 0); 0 when the TCP server is off.</summary>
    public int TcpPort { get; }

    /// <summary>The bound web/websocket port; 0 when off.</summary>
    public int WebPort { get; }

    public ILogger Logger { get; }

    /// <summary>The ActionHero-compatible Redis adapter; null when chatcluster.redis is off.</summary>
    public RedisChatAdapter? Redis { get; }

    /// <summary>This node's cluster address.</summary>
    public Address Address => Cluster.Get(System).SelfAddress;

    public static async Task<ChatNode> StartAsync(NodeOptions options, CancellationToken cancellation = default)
    {
        var config = NodeConfig.Load(options.Overrides, options.ConfigFiles);
        var settings = ChatSettings.Create(config);
        var webSettings = WebSettings.Create(config);
        settings = settings with { Transport = settings.Transport with { SessionKey = webSettings.CookieName } };
        config = WithRedis(config, settings.Redis);
        var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(options.LogLevel)
            .AddFilter("Microsoft", LogLevel.Warning));
        var logger = loggers.CreateLogger("ChatCluster.Node");

        // The extensions' serializers must be registered before other nodes talk to this one (they gossip
        // sharding, singleton and ddata messages as soon as we join), so their config and the extensions come first.
        config = config
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig())
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());
        var system = ActorSystem.Create(options.SystemName, config);
        RedisChatAdapter? redis = null;
        try
        {
            if (settings.Redis.Enabled)
            {
                var serverId = settings.Redis.ServerId.Length > 0 ? settings.Redis.ServerId
                    : RedisChatSettings.DeriveServerId(((ExtendedActorSystem)system).Provider.DefaultAddress);
                redis = await RedisChatAdapter.ConnectAsync(settings.Redis, serverId, options.SystemName, loggers.CreateLogger("ChatCluster.Redis"));
            }
            ClusterSharding.Get(system);
            Akka.DistributedData.DistributedData.Get(system);
            var connections = new LocalConnections();
            var auth = AuthSettings.Create(config);
            var middleware = new MiddlewareRegistry();
            foreach (var name in settings.Middleware) middleware.Add(BuiltInMiddleware.ByName(name, auth));
            var pipeline = new MiddlewarePipeline(system, middleware, settings.MiddlewareBufferSize, settings.MiddlewareParallelism);

            // Everything other nodes may address (the shard region and its replicator, fan-out, directory) exists
            // before this node joins: a coordinator's majority write must not wait on a replicator not yet started.
            var roomSettings = new RoomActorSettings(settings.PassivateIdleAfter, settings.PassivateMissingAfter, settings.RegistryWriteTimeout,
                settings.RegistryReadTimeout, settings.JournalIsShared || (settings.Redis.Enabled && settings.Redis.Journal), settings.PresenceEvents);
            var region = await ClusterSharding.Get(system).StartAsync(
                typeName: "room",
                entityPropsFactory: id => RoomActor.Props(id, roomSettings, redis),
                settings: ClusterShardingSettings.Create(system),
                messageExtractor: new RoomMessageExtractor(settings.ShardCount));
            var partitions = settings.FanoutPartitions > 0 ? settings.FanoutPartitions : Environment.ProcessorCount;
            var lanes = new FanoutLanes(settings.FanoutLanes > 0 ? settings.FanoutLanes : Environment.ProcessorCount, settings.FanoutInlineMaxMembers);
            var fanout = system.ActorOf(NodeFanoutActor.RouterProps(partitions, connections, pipeline, lanes, redis), NodeFanoutActor.Name);
            system.ActorOf(ConnectionDirectoryActor.Props(connections), ConnectionDirectoryActor.Name);
            var api = new ChatApi(system, region, connections, settings.RoomAskTimeout, pipeline, redis);

            var actions = new ActionRegistry();
            foreach (var action in BuiltInActions()) actions.Add(action);
            var runner = new ActionRunner(actions, api, new ActionServices(system, connections, auth, loggers.CreateLogger("ChatCluster.Actions")));
            var files = WebPipeline.CreateFiles(webSettings, settings.Transport, WebPipeline.ApiPath);
            var services = new NodeServices(region, fanout, connections, settings, pipeline, runner, files);

            var cluster = Cluster.Get(system);
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            if (config.GetStringList("akka.cluster.seed-nodes").Count == 0) cluster.Join(cluster.SelfAddress); // a cluster of one
            await up.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellation);
            if (redis is not null) await redis.StartAsync(system, connections, fanout, settings.RoomAskTimeout);

            await CreateStartingRoomsAsync(api, settings.StartingRooms, logger, cancellation);

            var host = new ConnectionHost(system, services);
            var (web, heartbeat, tcpPort, webPort) = await StartWebAsync(settings, webSettings, files, host, new ActionHttpEndpoint(runner), loggers, cancellation);
            logger.LogInformation("ChatCluster node {Address} up: tcp {Bind}:{TcpPort}, websocket ws://{Bind}:{WebPort}{Path}, rooms [{Rooms}]",
                cluster.SelfAddress, settings.Bind, tcpPort, settings.Bind, webPort, settings.Transport.PrimusPath, string.Join(", ", settings.StartingRooms));
            if (redis is not null)
                logger.LogInformation("redis adapter on: keystore {Keystore}, pubsub {PubSub}, channel {Channel}, serverId {ServerId}, journal {Journal}",
                    settings.Redis.Keystore, settings.Redis.PubSub, settings.Redis.Channel, redis.ServerId, settings.Redis.Journal ? "redis" : "configured");
            return new ChatNode(system, settings, services, api, web, heartbeat, tcpPort, webPort, logger, redis);
        }
        catch
        {
            await system.Terminate();
            if (redis is not null) await redis.DisposeAsync();
            throw;
        }
    }

    // With Redis on: the Redis journal and snapshot store on the keystore server (unless journal = off), and an explicit
    // server-id carried as a cluster role so the other ChatCluster nodes recognise this node's bus messages.
    private static Akka.Configuration.Config WithRedis(Akka.Configuration.Config config, RedisChatSettings redis)
    {
        if (!redis.Enabled) return config;
        var lines = new List<string>();
        if (redis.ServerId.Length > 0)
        {
            var roles = config.GetStringList("akka.cluster.roles").Append(RedisChatSettings.ServerIdRolePrefix + redis.ServerId);
            lines.Add($"akka.cluster.roles = [{string.Join(",", roles.Select(ChatCluster.Transports.JsonText.Quote))}]");
        }
        if (redis.Journal)
        {
            var connection = ChatCluster.Transports.JsonText.Quote(redis.Keystore);
            var prefix = ChatCluster.Transports.JsonText.Quote(redis.JournalKeyPrefix);
            lines.Add($"akka.persistence.journal {{ plugin = \"{ChatCluster.Persistence.Redis.RedisPersistence.JournalPluginId}\", redis {{ configuration-string = {connection}, key-prefix = {prefix} }} }}");
            lines.Add($"akka.persistence.snapshot-store {{ plugin = \"{ChatCluster.Persistence.Redis.RedisPersistence.SnapshotStorePluginId}\", redis {{ configuration-string = {connection}, key-prefix = {prefix} }} }}");
        }
        var result = config;
        foreach (var line in lines) result = Akka.Configuration.ConfigurationFactory.ParseString(line).WithFallback(result);
        return redis.Journal ? result.WithFallback(ChatCluster.Persistence.Redis.RedisPersistence.DefaultConfig()) : result;
    }

    // Every node asks for the starting rooms; the first ask creates each one. While the cluster is still forming a
    // room may not answer yet, so each is retried for a while before the node gives up starting.
    private static async Task CreateStartingRoomsAsync(ChatApi api, IReadOnlyList<string> rooms, ILogger logger, CancellationToken cancellation)
    {
        foreach (var room in rooms)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await api.AddAsync(room);
                    break;
                }
                catch (ChatException e) when (e.Message == ChatErrors.RoomExists)
                {
                    break;
                }
                catch (ChatException e) when (e.Message == ChatErrors.RoomUnavailable && attempt < 6)
                {
                    logger.LogWarning("starting room {Room} did not answer yet (attempt {Attempt}); retrying", room, attempt);
                    cancellation.ThrowIfCancellationRequested();
                }
            }
        }
    }

    /// <summary>The actions every node serves.</summary>
    public static IEnumerable<ChatAction> BuiltInActions() => new ChatAction[]
    {
        new CreateChatRoomAction(), new DestroyChatRoomAction(), new ChatRoomsAction(), new StatusAction(), new AuthenticateAction(),
    };

    // A connection that has not sent its first request by then goes to Kestrel, whose own request timeouts apply.
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private static async Task<(WebApplication?, PrimusHeartbeat?, int, int)> StartWebAsync(
        ChatSettings settings, WebSettings webSettings, PublicFiles files, ConnectionHost host, ActionHttpEndpoint api, ILoggerFactory loggers,
        CancellationToken cancellation)
    {
        if (!settings.TcpEnabled && !settings.WebEnabled) return (null, null, 0, 0);
        var address = settings.Bind == "localhost" ? IPAddress.Loopback : IPAddress.Parse(settings.Bind);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(o =>
        {
            o.UnsafePreferInlineScheduling = settings.InlineSocketScheduling;
            o.WaitForDataBeforeAllocatingBuffer = settings.SocketWaitForData;
        });
        builder.Services.AddSingleton(loggers);
        WebPipeline.AddServices(builder.Services, webSettings);
        ListenOptions? tcpListen = null, webListen = null;
        var tcpHandler = new TcpConnectionHandler(host, settings.Transport, loggers);
        PrimusHeartbeat? heartbeat = null;
        PrimusEndpoint? primus = null;
        if (settings.WebEnabled)
        {
            heartbeat = new PrimusHeartbeat(settings.Transport.PingInterval, loggers.CreateLogger("ChatCluster.Heartbeat"));
            primus = new PrimusEndpoint(host, settings.Transport, heartbeat, loggers);
        }
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            if (settings.TcpEnabled)
                k.Listen(address, settings.TcpPort, o =>
                {
                    tcpListen = o;
                    o.Run(tcpHandler.OnConnectedAsync);
                });
            if (settings.WebEnabled)
                k.Listen(address, settings.WebPort, o =>
                {
                    webListen = o;
                    // Websocket upgrades that open a connection skip the HTTP stack (see PrimusConnectionMiddleware).
                    o.Use(new PrimusConnectionMiddleware(primus!, settings.Transport.PrimusPath, HandshakeTimeout).Wrap);
                });
        });
        var app = builder.Build();
        if (primus is not null)
        {
            // CORS first: a preflight OPTIONS is answered by the CORS middleware and never reaches an action.
            WebPipeline.UseFront(app, webSettings);
            WebPipeline.UsePrimusClient(app, webSettings, settings.Transport);
            app.Use(async (context, next) =>
            {
                if (primus.Matches(context.Request.Path)) await primus.HandleAsync(context);
                else if (ActionHttpEndpoint.Matches(context.Request.Path)) await api.HandleAsync(context);
                else await next(context);
            });
            WebPipeline.UsePublic(app, webSettings, files);
        }
        await app.StartAsync(cancellation);
        return (app, heartbeat, tcpListen?.IPEndPoint?.Port ?? 0, webListen?.IPEndPoint?.Port ?? 0);
    }

    /// <summary>
    /// Graceful stop: every client gets its goodbye (TCP <c>Bye!</c>, websocket <c>primus::server::close</c>)
    /// and leaves its rooms, the servers stop, then the node leaves the cluster.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        foreach (var connection in Services.Connections.All)
            connection.Actor.Tell(new ConnectionProtocol.CloseConnection(connection.Id));
        await WaitFor(() => Services.Connections.Count == 0, Settings.Transport.CloseTimeout);
        _heartbeat?.Dispose();
        if (_web is not null)
        {
            using var cts = new CancellationTokenSource(Settings.Transport.CloseTimeout);
            await _web.StopAsync(cts.Token);
            await _web.DisposeAsync();
        }
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        // Last, as ActionHero stops redis last: the members' HDELs of the closed connections are flushed first.
        if (Redis is not null) await Redis.DisposeAsync();
    }

    /// <summary>
    /// Simulates a crash, for tests and failover benchmarks: sockets are cut without goodbye, the node does not
    /// leave the cluster (the others must detect and down it), the actor system stops.
    /// </summary>
    public async Task CrashAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _heartbeat?.Dispose();
        foreach (var connection in Services.Connections.All) connection.Transport.Abort("node crashed");
        if (_web is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.Zero);
            try
            {
                await _web.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
            }
            await _web.DisposeAsync();
        }
        Redis?.Abort();
        await System.Terminate();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private static async Task WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
}
