using Akka.Actor;
using Akka.Configuration;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Commands;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Node.Operations;
using ChatCluster.Node.Redis;
using ChatCluster.Node.Rooms;
using ChatCluster.Node.Web;
using ChatCluster.Transports.Limits;
using ChatCluster.Transports.Primus;
using ChatCluster.Transports.Tcp;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// One node's parts inside its host, filled in the order the host starts them (see <see cref="ChatClusterHosting"/>):
/// what is read from the configuration at registration, then what Akka.Hosting's starters create, then the listeners.
/// Kestrel is configured before the actor system exists, so its connection delegates read the handlers from here.
/// </summary>
internal sealed class ChatNodeParts
{
    public ChatNodeParts(ChatClusterOptions options)
    {
        Options = options;
        var node = options.Node;
        var config = NodeConfig.Load(node);
        var settings = ChatSettings.Create(config);
        if ((settings.TcpEnabled || settings.WebEnabled)
            && FdLimit.Check(FdLimit.Current(), settings.Transport.Limits.MaxConnections, settings.Transport.Limits.FdHeadroom) is { } fdProblem)
            throw new ConfigurationException(fdProblem);
        Commands = CommandHost.Prepare(config, node.LogLevel);
        Web = WebSettings.Create(config);
        Settings = settings with { Transport = settings.Transport with { SessionKey = Web.CookieName } };
        Auth = AuthSettings.Create(config);
        // ccm's recent-log buffer is one more provider of the same pipeline; its level (`log set-level`) decides for all.
        Loggers = NodeLogging.Create(node.LogLevel, OperationsSettings.Create(config).LogFormat, node.LogProvider,
            b => b.AddRecentLog(Commands.Log));
        Logger = Loggers.CreateLogger("ChatCluster.Node");
        // The seed nodes are joined by us once the node's parts exist (ClusterJoin), never by the cluster extension at start.
        SeedNodes = config.GetStringList("akka.cluster.seed-nodes").ToArray();
        Config = ConfigurationFactory.ParseString("akka.cluster.seed-nodes = []").WithFallback(WithServerIdRole(config, Settings.Redis));
        RemotingPortCheck.EnsureFree(Config);
        Files = WebPipeline.CreateFiles(Web, Settings.Transport, WebPipeline.ApiPath);
        Admission = new ConnectionAdmission(Settings.Transport.Limits, Loggers.CreateLogger("ChatCluster.Admission"));
        RoomSettings = new RoomActorSettings(Settings.PassivateIdleAfter, Settings.PassivateMissingAfter, Settings.RegistryWriteTimeout,
            Settings.RegistryReadTimeout, Settings.JournalIsShared || (Settings.Redis.Enabled && Settings.Redis.Journal), Settings.PresenceEvents)
        {
            ConfirmationTimeout = Settings.SayRetryTimeout,
            ConfirmationSweepInterval = Settings.SayRetryInterval,
            History = HistorySettings.Create(Config),
            RejoinTimeout = RoomActorSettings.ReadRejoinTimeout(Config),
        };
    }

    public ChatClusterOptions Options { get; }

    /// <summary>The actor system's HOCON: the files and overrides, without seed nodes (joined by <see cref="ClusterJoin"/>).</summary>
    public Config Config { get; }

    public IReadOnlyList<string> SeedNodes { get; }

    public ChatSettings Settings { get; }

    public WebSettings Web { get; }

    public AuthSettings Auth { get; }

    public CommandHost Commands { get; }

    public ILoggerFactory Loggers { get; }

    public ILogger Logger { get; }

    public PublicFiles Files { get; }

    public ConnectionAdmission Admission { get; }

    public RoomActorSettings RoomSettings { get; }

    public LocalConnections Connections { get; } = new();

    // Akka.Hosting's starters, in order (ChatAkka):
    public NodeOperations? Operations { get; set; }

    public RedisChatAdapter? Redis { get; set; }

    /// <summary>Where rooms keep history beyond their actor (<c>chatcluster.history.store</c>); set before the shard region starts rooms.</summary>
    public IHistoryStore HistoryStore { get; set; } = NoHistoryStore.Instance;

    public MiddlewarePipeline? Pipeline { get; set; }

    public NodeServices? Services { get; set; }

    public Api.ChatApi? Api { get; set; }

    // The listeners (ChatNodeService, before Kestrel binds):
    public TcpConnectionHandler? Tcp { get; set; }

    public PrimusEndpoint? Primus { get; set; }

    public PrimusHeartbeat? Heartbeat { get; set; }

    public PrimusConnectionMiddleware? PrimusConnection { get; set; }

    public ActionHttpEndpoint? ActionEndpoint { get; set; }

    public ListenOptions? TcpListen { get; set; }

    public ListenOptions? WebListen { get; set; }

    /// <summary>The node, once every listener accepts.</summary>
    public ChatNode? Node { get; set; }

    public ActorSystem? System { get; set; }

    // With Redis on and an explicit server-id: the id carried as a cluster role so the other ChatCluster nodes
    // recognise this node's bus messages. (The journal is Akka.Hosting's RedisJournalOptions, see ChatAkka.)
    private static Config WithServerIdRole(Config config, RedisChatSettings redis)
    {
        if (!redis.Enabled || redis.ServerId.Length == 0) return config;
        var roles = config.GetStringList("akka.cluster.roles").Append(RedisChatSettings.ServerIdRolePrefix + redis.ServerId);
        return ConfigurationFactory.ParseString($"akka.cluster.roles = [{string.Join(",", roles.Select(ChatCluster.Transports.JsonText.Quote))}]")
            .WithFallback(config);
    }
}
