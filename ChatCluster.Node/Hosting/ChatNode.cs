using Akka.Actor;
using Akka.Cluster;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Actions.BuiltIn;
using ChatCluster.Node.Api;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Node.Operations;
using ChatCluster.Node.Redis;
using ChatCluster.Transports.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// One running ChatCluster node: the actor system (a cluster, possibly of one), the room shard region,
/// the node's fan-out, and Kestrel serving the TCP socket server and the web port (Primus websocket), all in one
/// Generic Host (<see cref="ChatClusterHosting"/>). <see cref="StartAsync(NodeOptions, CancellationToken)"/> builds
/// and owns that host (the executable, tests); an embedding application gets the node of its own host from
/// <see cref="ChatNodeAccessor"/>.
/// </summary>
public sealed class ChatNode : IAsyncDisposable
{
    private readonly ChatNodeParts _parts;
    private readonly IServer? _server;
    private readonly object _stopGate = new();
    private IHost? _ownedHost;
    private Task? _drainTask;
    private Task? _stopTask;
    private int _stopped;

    internal ChatNode(ChatNodeParts parts, IServer? server, int tcpPort, int webPort)
    {
        _parts = parts;
        _server = server;
        System = parts.System!;
        Settings = parts.Settings;
        Services = parts.Services!;
        Api = parts.Api!;
        Operations = parts.Operations!;
        Redis = parts.Redis;
        Admission = parts.Admission;
        Commands = parts.Commands;
        Logger = parts.Logger;
        TcpPort = tcpPort;
        WebPort = webPort;
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

    /// <summary>Client connections open on this node and refused (chatcluster.limits).</summary>
    public ConnectionAdmission? Admission { get; }

    /// <summary>The ccm command listener and its handlers (<c>chatcluster.cmd</c>).</summary>
    public CommandHost Commands { get; }

    /// <summary>This node's cluster address.</summary>
    public Address Address => Cluster.Get(System).SelfAddress;

    /// <summary>Starts a node in a host of its own (Kestrel only when the TCP or web server is on).</summary>
    public static Task<ChatNode> StartAsync(NodeOptions options, CancellationToken cancellation = default) =>
        StartAsync(new ChatClusterOptions { Node = options }, cancellation);

    public static async Task<ChatNode> StartAsync(ChatClusterOptions options, CancellationToken cancellation = default)
    {
        var parts = new ChatNodeParts(options);
        IHost host;
        if (parts.Settings.TcpEnabled || parts.Settings.WebEnabled)
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            Configure(builder.Services, parts);
            host = builder.Build();
        }
        else
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            Configure(builder.Services, parts);
            host = builder.Build();
        }
        try
        {
            await host.StartAsync(cancellation);
        }
        catch
        {
            await StopFailedHostAsync(host);
            throw;
        }
        var node = parts.Node ?? throw new InvalidOperationException("the host started without its ChatCluster node");
        node._ownedHost = host;
        return node;
    }

    // A start that failed: what did start stops (a host that failed before its first service cannot stop; its
    // StopAsync throws), and the start's own exception is the one the caller sees.
    private static async Task StopFailedHostAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(FailedStartStopTimeout);
        try
        {
            await host.StopAsync(cts.Token);
        }
        catch (Exception)
        {
            // Deliberately dropped: the start's exception is rethrown by the caller and names the cause.
        }
        finally
        {
            host.Dispose();
        }
    }

    // Bound on stopping what a failed start started (an actor system, listeners).
    private static readonly TimeSpan FailedStartStopTimeout = TimeSpan.FromSeconds(10);

    private static void Configure(IServiceCollection services, ChatNodeParts parts)
    {
        services.AddChatCluster(parts);
        // Signals are the executable's (NodeCommand drains on SIGTERM); a host per node must not claim them.
        services.AddSingleton<IHostLifetime, NodeHostLifetime>();
    }

    /// <summary>The actions every node serves.</summary>
    public static IEnumerable<ChatAction> BuiltInActions() => new ChatAction[]
    {
        new CreateChatRoomAction(), new DestroyChatRoomAction(), new ChatRoomsAction(), new StatusAction(), new AuthenticateAction(),
    };

    /// <summary>True once a drain was asked for (SIGTERM, ccm, a test): the actor system ending then is no downing.</summary>
    public bool DrainRequested
    {
        get { lock (_stopGate) return _drainTask is not null; }
    }

    /// <summary>True when the cluster downed this node (split-brain resolver, an operator), not a drain.</summary>
    public bool Downed => CoordinatedShutdown.Get(System).ShutdownReason is CoordinatedShutdown.ClusterDowningReason;

    /// <summary>
    /// Graceful stop, the drain: readiness turns 503, the node waits <c>chatcluster.drain.unready-delay</c>, new
    /// connections get their goodbye at once, every client gets its goodbye (TCP <c>Bye!</c>, websocket
    /// <c>primus::server::close</c>) and leaves its rooms, the servers stop, rooms are handed over and the node leaves
    /// the cluster (CoordinatedShutdown phases, see <see cref="NodeDrain"/>); then the node's own host stops.
    /// SIGTERM calls it; so does stopping an embedding host.
    /// </summary>
    public Task DrainAsync()
    {
        // One drain, however many callers (SIGTERM, ccm's node drain, DisposeAsync): all of them await the same task.
        lock (_stopGate) return _stopTask ??= DrainAndStopHostAsync();
    }

    private async Task DrainAndStopHostAsync()
    {
        await DrainActorsAsync();
        await StopOwnedHostAsync();
    }

    /// <summary>The drain without stopping the host (the host's own stop calls this first).</summary>
    internal Task DrainActorsAsync()
    {
        lock (_stopGate) return _drainTask ??= DrainCoreAsync();
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

    private async Task StopOwnedHostAsync()
    {
        if (_ownedHost is not { } host) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }

    /// <summary>The same as <see cref="DrainAsync"/>.</summary>
    public Task StopAsync() => DrainAsync();

    /// <summary>
    /// Simulates a crash, for tests and failover benchmarks: sockets are cut without goodbye, the node does not
    /// leave the cluster (the others must detect and down it), the actor system stops.
    /// </summary>
    public async Task CrashAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _parts.Heartbeat?.Dispose();
        foreach (var connection in Services.Connections.All) connection.Transport.Abort("node crashed");
        if (_server is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.Zero);
            try
            {
                await _server.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        Redis?.Abort();
        await System.Terminate();
        await Operations.DisposeAsync();
        await Commands.DisposeAsync();
        lock (_stopGate) _stopTask ??= StopOwnedHostAsync();
        await _stopTask;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
