using Akka.Actor;
using Akka.Configuration;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;
using ChatCluster.Node.Redis;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Operations;

/// <summary>
/// What an operator gets from a node, attached to <see cref="Hosting.ChatNode"/> by a few hooks: metrics and the
/// management listener (started before the node joins, so readiness answers "not ready" while it starts), readiness,
/// cluster event logs, the connection gate and the drain.
/// </summary>
public sealed class NodeOperations : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly ILoggerFactory _loggers;
    private readonly ManagementServer? _management;
    private ShardStatsPoller? _poller;
    private ConnectionGate? _gate;
    private IActorRef? _region;

    private NodeOperations(ActorSystem system, OperationsSettings settings, ChatMetrics metrics, NodeReadiness readiness,
        ManagementServer? management, ILoggerFactory loggers)
    {
        _system = system;
        Settings = settings;
        Metrics = metrics;
        Readiness = readiness;
        _management = management;
        _loggers = loggers;
    }

    public OperationsSettings Settings { get; }

    public ChatMetrics Metrics { get; }

    public NodeReadiness Readiness { get; }

    /// <summary>The bound management port; 0 when the listener is off.</summary>
    public int ManagementPort => _management?.Port ?? 0;

    public static async Task<NodeOperations> StartAsync(ActorSystem system, Config config, ILoggerFactory loggers, CancellationToken cancellation)
    {
        var settings = OperationsSettings.Create(config);
        var metrics = new ChatMetrics(system);
        var readiness = new NodeReadiness(system);
        var management = settings.ManagementEnabled
            ? await ManagementServer.StartAsync(settings, metrics.Meter, readiness, loggers, cancellation)
            : null;
        system.ActorOf(ClusterEventLogger.Props(loggers.CreateLogger("ChatCluster.Cluster")), ClusterEventLogger.Name);
        return new NodeOperations(system, settings, metrics, readiness, management, loggers);
    }

    /// <summary>The node's parts exist: observe them.</summary>
    public void Attach(IActorRef region, LocalConnections connections, ActionRunner actions, RedisChatAdapter? redis)
    {
        Metrics.Observe(connections, redis);
        actions.Completed = Metrics.ActionCompleted;
        if (redis is not null) Readiness.RedisConfigured(redis);
        _region = region;
    }

    /// <summary>The connection host the listeners use: metered, and closed to new clients by the drain.</summary>
    public ConnectionGate Gate(ConnectionHost host) =>
        _gate = new ConnectionGate(host, Metrics, _loggers.CreateLogger("ChatCluster.Connections"));

    /// <summary>Listeners are bound: register the drain, which needs them.</summary>
    public void Serving(LocalConnections connections, TimeSpan closeTimeout, Func<Task> stopListeners)
    {
        Readiness.ListenersBound();
        // First asked now that the starting rooms exist, so the first scrapes already count them.
        _poller = new ShardStatsPoller(_region ?? throw new InvalidOperationException("Attach() first"), Metrics, Settings.StatsInterval,
            _loggers.CreateLogger("ChatCluster.Management"));
        NodeDrain.Register(_system, Readiness, _gate ?? throw new InvalidOperationException("Gate() first"), connections,
            Settings.UnreadyDelay, closeTimeout, stopListeners, _loggers.CreateLogger("ChatCluster.Drain"));
    }

    public async ValueTask DisposeAsync()
    {
        _poller?.Dispose();
        if (_management is not null) await _management.DisposeAsync();
        Metrics.Dispose();
    }
}
