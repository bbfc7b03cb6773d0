using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using ChatCluster.Messages;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Actions.BuiltIn;
using ChatCluster.Node.Api;
using ChatCluster.Node.Commands;
using ChatCluster.Node.Middleware;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Operations;
using ChatCluster.Node.Redis;
using ChatCluster.Node.Rooms;
using ChatCluster.Transports;
using ChatCluster.Transports.Limits;
using ChatCluster.Node.Web;
using ChatCluster.Transports.Primus;
using ChatCluster.Transports.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
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
    private readonly object _stopGate = new();
    private Task? _stopTask;
    private int _stopped;

    private ChatNode(ActorSystem system, ChatSettings settings, NodeServices services, ChatApi api, WebApplication? web,
        PrimusHeartbeat? heartbeat, int tcpPort, int webPort, ILogger logger, RedisChatAdapter? redis, NodeOperations operations)
    {
        Operations = operations;
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

    /// <summary>Metrics, readiness, the management listener and the drain.</summary>
    public NodeOperations Operations { get; }

    /// <summary>The bound management port (<c>/metrics</c>, <c>/healthz/*</c>); 0 when off.</summary>
    public int ManagementPort => Operations.ManagementPort;

    /// <summary>The ActionHero-compatible Redis adapter; null when chatcluster.redis is off.</summary>
    public RedisChatAdapter? Redis { get; }

    /// <summary>Client connections open on this node and refused (chatcluster.limits); null while not started.</summary>
    public ConnectionAdmission? Admission { get; private init; }

    /// <summary>The ccm command listener and its handlers (<c>chatcluster.cmd</c>).</summary>
    public CommandHost Commands { get; private set; } = null!;

    /// <summary>This node's cluster address.</summary>
    public Address Address => Cluster.Get(System).SelfAddress;

    public static async Task<ChatNode> StartAsync(NodeOptions options, CancellationToken cancellation = default)
    {
        var config = NodeConfig.Load(options);
        var settings = ChatSettings.Create(config);
        if ((settings.TcpEnabled || settings.WebEnabled)
            && FdLimit.Check(FdLimit.Current(), settings.Transport.Limits.MaxConnections, settings.Transport.Limits.FdHeadroom) is { } fdProblem)
            throw new Akka.Configuration.ConfigurationException(fdProblem);
        var commands = CommandHost.Prepare(config, options.LogLevel);
        var webSettings = WebSettings.Create(config);
        settings = settings with { Transport = settings.Transport with { SessionKey = webSettings.CookieName } };
        config = WithRedis(config, settings.Redis);
        // ccm's recent-log buffer is one more provider of the same pipeline; its level (`log set-level`) decides for all.
        var loggers = NodeLogging.Create(options.LogLevel, OperationsSettings.Create(config).LogFormat, options.LogProvider,
            b => b.AddRecentLog(commands.Log));
        var logger = loggers.CreateLogger("ChatCluster.Node");

        // The extensions' serializers must be registered before other nodes talk to this one (they gossip
        // sharding, singleton and ddata messages as soon as we join), so their config and the extensions come first.
        config = config
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig())
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());
        RemotingPortCheck.EnsureFree(config);
        var system = ActorSystem.Create(options.SystemName, BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(loggers)));
        RedisChatAdapter? redis = null;
        NodeOperations? operations = null;
        try
        {
            operations = await NodeOperations.StartAsync(system, config, loggers, cancellation);
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
                settings.RegistryReadTimeout, settings.JournalIsShared || (settings.Redis.Enabled && settings.Redis.Journal), settings.PresenceEvents)
            {
                ConfirmationTimeout = settings.SayRetryTimeout,
                ConfirmationSweepInterval = settings.SayRetryInterval,
                History = HistorySettings.Create(config),
            };
            var shardingSettings = ClusterShardingSettings.Create(system);
            var region = await ClusterSharding.Get(system).StartAsync(
                typeName: RoomHandOff.RegionName,
                entityPropsFactory: id => RoomActor.Props(id, roomSettings, redis),
                settings: shardingSettings,
                messageExtractor: new RoomMessageExtractor(settings.ShardCount),
                allocationStrategy: ClusterSharding.Get(system).DefaultShardAllocationStrategy(shardingSettings),
                handOffStopMessage: RoomHandOff.Instance); // a room hands its history on before it stops
            var partitions = settings.FanoutPartitions > 0 ? settings.FanoutPartitions : Environment.ProcessorCount;
            var lanes = new FanoutLanes(settings.FanoutLanes > 0 ? settings.FanoutLanes : Environment.ProcessorCount, settings.FanoutInlineMaxMembers);
            // A retried say may still arrive until the sender gives up; twice that is a safe memory for copies.
            var dedupeWindow = settings.SayRetryTimeout * 2;
            var fanout = system.ActorOf(NodeFanoutActor.RouterProps(partitions, connections, pipeline, lanes, dedupeWindow, redis), NodeFanoutActor.Name);
            system.ActorOf(SayRetrySweeper.Props(connections, settings.SayRetryInterval), SayRetrySweeper.Name);
            system.ActorOf(ConnectionDirectoryActor.Props(connections), ConnectionDirectoryActor.Name);
            var api = new ChatApi(system, region, connections, settings.RoomAskTimeout, pipeline, redis, settings.SayRetryTimeout);

            var actions = new ActionRegistry();
            foreach (var action in BuiltInActions()) actions.Add(action);
            var runner = new ActionRunner(actions, api, new ActionServices(system, connections, auth, loggers.CreateLogger("ChatCluster.Actions")));
            var files = WebPipeline.CreateFiles(webSettings, settings.Transport, WebPipeline.ApiPath);
            var services = new NodeServices(region, fanout, connections, settings, pipeline, runner, files);
            operations.Attach(region, connections, runner, redis);

            // However the cluster shuts this node down (downed by the split-brain resolver on the minority side of a
            // partition, or removed by an operator), CoordinatedShutdown runs the drain's tasks (NodeDrain): its clients
            // get their goodbye before the actors stop.

            var cluster = Cluster.Get(system);
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            if (config.GetStringList("akka.cluster.seed-nodes").Count == 0) cluster.Join(cluster.SelfAddress); // a cluster of one
            await up.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellation);
            if (redis is not null) await redis.StartAsync(system, connections, fanout, settings.RoomAskTimeout);

            await CreateStartingRoomsAsync(api, settings.StartingRooms, logger, cancellation);
            operations.Readiness.StartingRoomsCreated();

            var host = operations.Gate(new ConnectionHost(system, services));
            var admission = new ConnectionAdmission(settings.Transport.Limits, loggers.CreateLogger("ChatCluster.Admission"));
            var (web, heartbeat, tcpPort, webPort) = await StartWebAsync(settings, webSettings, files, host, new ActionHttpEndpoint(runner), admission, loggers, cancellation);
            operations.Serving(connections, settings.Transport.CloseTimeout, () => StopWebAsync(web, heartbeat, settings.Transport.CloseTimeout));
            var node = new ChatNode(system, settings, services, api, web, heartbeat, tcpPort, webPort, logger, redis, operations)
            {
                Admission = admission,
                Commands = commands,
            };
            try
            {
                commands.Start(node, options.ConfigFiles, loggers);
            }
            catch
            {
                await node.StopAsync();
                throw;
            }
            // Logged last: "up" means every listener (ccm included) accepts.
            // Each placeholder once: a structured (JSON) log line must not carry the same key twice.
            logger.LogInformation("ChatCluster node {Address} up: tcp {Bind}:{TcpPort}, websocket ws://{WebBind}:{WebPort}{Path}, rooms [{Rooms}]",
                cluster.SelfAddress, settings.Bind, tcpPort, settings.Bind, webPort, settings.Transport.PrimusPath, string.Join(", ", settings.StartingRooms));
            if (redis is not null)
                logger.LogInformation("redis adapter on: keystore {Keystore}, pubsub {PubSub}, channel {Channel}, serverId {ServerId}, journal {Journal}",
                    settings.Redis.Keystore, settings.Redis.PubSub, settings.Redis.Channel, redis.ServerId, settings.Redis.Journal ? "redis" : "configured");
            return node;
        }
        catch
        {
            await system.Terminate();
            if (operations is not null) await operations.DisposeAsync();
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

    private static async Task<(WebApplication?, PrimusHeartbeat?, int, int)> StartWebAsync(
        ChatSettings settings, WebSettings webSettings, PublicFiles files, ChatCluster.Transports.IConnectionHost host, ActionHttpEndpoint api,
        ConnectionAdmission admission, ILoggerFactory loggers, CancellationToken cancellation)
    {
        if (!settings.TcpEnabled && !settings.WebEnabled) return (null, null, 0, 0);
        var address = settings.Bind == "localhost" ? IPAddress.Loopback : IPAddress.Parse(settings.Bind);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        var limits = settings.Transport.Limits;
        // Kestrel's socket connections behind our own accept loop, which backs off at the fd limit instead of spinning
        // (registered last, so Kestrel prefers it to its own socket transport).
        builder.Services.AddSingleton<IConnectionListenerFactory>(_ => new BackoffSocketTransportFactory(limits, new SocketConnectionFactoryOptions
        {
            UnsafePreferInlineScheduling = settings.InlineSocketScheduling,
            WaitForDataBeforeAllocatingBuffer = settings.SocketWaitForData,
        }, loggers));
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
            k.Limits.RequestHeadersTimeout = limits.HandshakeTimeout;
            k.Limits.KeepAliveTimeout = limits.HttpKeepAliveTimeout;
            if (settings.TcpEnabled)
                k.Listen(address, settings.TcpPort, o =>
                {
                    tcpListen = o;
                    o.Use(admission.Middleware(v => SocketRefusal(v), waitForRequest: false));
                    o.Run(tcpHandler.OnConnectedAsync);
                });
            if (settings.WebEnabled)
                k.Listen(address, settings.WebPort, o =>
                {
                    webListen = o;
                    o.Use(admission.Middleware(v => HttpRefusal(v), waitForRequest: true));
                    // Websocket upgrades that open a connection skip the HTTP stack (see PrimusConnectionMiddleware).
                    o.Use(new PrimusConnectionMiddleware(primus!, settings.Transport.PrimusPath, limits.HandshakeTimeout).Wrap);
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

    private static readonly byte[] SocketNodeFull = [.. SocketResponseFormat.ConnectionError(ChatErrors.TooManyConnections), .. "\r\n"u8];
    private static readonly byte[] SocketAddressFull = [.. SocketResponseFormat.ConnectionError(ChatErrors.TooManyConnectionsFromAddress), .. "\r\n"u8];
    private static readonly byte[] HttpNodeFull = ConnectionAdmission.HttpServiceUnavailable(ChatErrors.TooManyConnections);
    private static readonly byte[] HttpAddressFull = ConnectionAdmission.HttpServiceUnavailable(ChatErrors.TooManyConnectionsFromAddress);

    private static byte[] SocketRefusal(AdmissionVerdict verdict) => verdict == AdmissionVerdict.AddressFull ? SocketAddressFull : SocketNodeFull;

    private static byte[] HttpRefusal(AdmissionVerdict verdict) => verdict == AdmissionVerdict.AddressFull ? HttpAddressFull : HttpNodeFull;

    /// <summary>
    /// Graceful stop, the drain: readiness turns 503, the node waits <c>chatcluster.drain.unready-delay</c>, new
    /// connections get their goodbye at once, every client gets its goodbye (TCP <c>Bye!</c>, websocket
    /// <c>primus::server::close</c>) and leaves its rooms, the servers stop, rooms are handed over and the node leaves
    /// the cluster (CoordinatedShutdown phases, see <see cref="NodeDrain"/>). SIGTERM calls it.
    /// </summary>
    /// <summary>True once a drain was asked for (SIGTERM, ccm, a test): the actor system ending then is no downing.</summary>
    public bool DrainRequested
    {
        get { lock (_stopGate) return _stopTask is not null; }
    }

    public Task DrainAsync()
    {
        // One drain, however many callers (SIGTERM, ccm's node drain, DisposeAsync): all of them await the same task.
        lock (_stopGate) return _stopTask ??= DrainCoreAsync();
    }

    private async Task DrainCoreAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60));
            return;
        }
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        await Operations.DisposeAsync();
        // Last, as ActionHero stops redis last: the members' HDELs of the closed connections are flushed first.
        if (Redis is not null) await Redis.DisposeAsync();
        await Commands.DisposeAsync();
    }

    /// <summary>The same as <see cref="DrainAsync"/>.</summary>
    public Task StopAsync() => DrainAsync();

    // The drain's service-stop phase: the public listeners go (connections still open by now are cut).
    private static async Task StopWebAsync(WebApplication? web, PrimusHeartbeat? heartbeat, TimeSpan closeTimeout)
    {
        heartbeat?.Dispose();
        if (web is null) return;
        using var cts = new CancellationTokenSource(closeTimeout);
        await web.StopAsync(cts.Token);
        await web.DisposeAsync();
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
        await Operations.DisposeAsync();
        await Commands.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

}
