using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;
using ChatCluster.Node.Redis;
using ChatCluster.Transports;

namespace ChatCluster.Node.Operations;

/// <summary>
/// The node's instruments, on one <c>Meter("ChatCluster")</c> per node (the exporter of a node reads only its own
/// meter, so nodes sharing a process keep apart what is theirs). Counts of events that are not on the data path
/// (connections opened and closed, action runs) are recorded as they happen; what the data path produces (messages,
/// bytes, middleware verdicts, overflows) is read from the running totals of <see cref="NodeCounters"/> at scrape
/// time; states (connections, members, cluster, Redis, shards) are read from the node at scrape time.
/// Totals read from <see cref="NodeCounters"/> and <see cref="PipeClientTransport"/> are per process.
/// </summary>
public sealed class ChatMetrics : IDisposable
{
    public const string MeterName = "ChatCluster";

    private static readonly MemberStatus[] Statuses = Enum.GetValues<MemberStatus>();

    // Chat connections live from seconds (a probe, a bot) to a day (a browser left open).
    private static readonly double[] ConnectionBuckets = { 1, 10, 60, 300, 1800, 3600, 14400, 86400 };

    // Actions answer in milliseconds; the room ask timeout (seconds) bounds the slow ones.
    private static readonly double[] ActionBuckets = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

    private readonly Counter<long> _opened;
    private readonly Counter<long> _closed;
    private readonly Histogram<double> _connectionDuration;
    private readonly Histogram<double> _actionDuration;
    private volatile ShardStats _shards = new(0, 0);

    public ChatMetrics(ActorSystem system)
    {
        Meter = new Meter(MeterName, typeof(ChatMetrics).Assembly.GetName().Version?.ToString());
        _opened = Meter.CreateCounter<long>("chatcluster.connections.opened", "{connection}", "Client connections accepted, by transport");
        _closed = Meter.CreateCounter<long>("chatcluster.connections.closed", "{connection}", "Client connections ended, by transport");
        _connectionDuration = Meter.CreateHistogram("chatcluster.connection.duration", "s", "How long client connections lasted, by transport",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ConnectionBuckets });
        _actionDuration = Meter.CreateHistogram("chatcluster.action.duration", "s", "Run time of actions, by action",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ActionBuckets });
        Meter.CreateObservableCounter("chatcluster.messages.received", () => NodeCounters.MessagesReceived.Value, "{message}",
            "Chat messages (say) received from clients");
        Meter.CreateObservableCounter("chatcluster.messages.delivered", () => NodeCounters.MessagesDelivered.Value, "{message}",
            "Chat messages written to clients' sockets, one per recipient");
        Meter.CreateObservableCounter("chatcluster.bytes.out", () => PipeClientTransport.BytesOut, "By", "Bytes flushed to clients' sockets");
        Meter.CreateObservableCounter("chatcluster.outbound.overflows", () => PipeClientTransport.Overflows, "{connection}",
            "Slow consumers disconnected because their outbound backlog overflowed (chatcluster.outbound)");
        Meter.CreateObservableCounter("chatcluster.middleware.refusals", () => ByHook(NodeCounters.Refusals, NodeCounters.Join), "{verb}", "Verbs refused by middleware, by hook");
        // join and leave hooks cannot silence: no series for them.
        Meter.CreateObservableCounter("chatcluster.middleware.silences", () => ByHook(NodeCounters.Silences, NodeCounters.OnSayReceive), "{message}",
            "Messages silenced by middleware, by hook");
        Meter.CreateObservableGauge("chatcluster.cluster.members", () => Members(system), "{node}", "Cluster members as this node sees them, by status");
        Meter.CreateObservableGauge("chatcluster.rooms.hosted", () => (long)_shards.Entities, "{room}",
            "Room actors running on this node (refreshed every chatcluster.management.stats-interval)");
        Meter.CreateObservableGauge("akka.cluster.sharding.shards", () => new Measurement<long>(_shards.Shards, new KeyValuePair<string, object?>("type_name", "room")),
            "{shard}", "Room shards hosted on this node");
    }

    public Meter Meter { get; }

    /// <summary>The instruments that read a started node's parts.</summary>
    public void Observe(LocalConnections connections, RedisChatAdapter? redis)
    {
        Meter.CreateObservableGauge("chatcluster.connections.active", () => Active(connections), "{connection}", "Open client connections, by transport");
        Meter.CreateObservableGauge("chatcluster.room.members", () => Memberships(connections), "{member}",
            "Room memberships of this node's connections (a connection in two rooms counts twice)");
        if (redis is not null)
            Meter.CreateObservableGauge("chatcluster.redis.connected", () => new[]
            {
                new Measurement<int>(redis.KeyStoreConnected ? 1 : 0, new KeyValuePair<string, object?>("role", "keystore")),
                new Measurement<int>(redis.PubSubConnected ? 1 : 0, new KeyValuePair<string, object?>("role", "pubsub")),
            }, null, "1 while the Redis adapter's connection is up, by role");
    }

    public void ConnectionOpened(string transport) => _opened.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void ConnectionClosed(string transport, TimeSpan lasted)
    {
        var tag = new KeyValuePair<string, object?>("transport", transport);
        _closed.Add(1, tag);
        _connectionDuration.Record(lasted.TotalSeconds, tag);
    }

    public void ActionCompleted(string action, TimeSpan took) =>
        _actionDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("action", action));

    public void ShardsReported(int shards, int entities) => _shards = new ShardStats(shards, entities);

    public void Dispose() => Meter.Dispose();

    private static IEnumerable<Measurement<long>> ByHook(StripedCounter[] counters, int first)
    {
        for (var i = first; i < counters.Length; i++)
            yield return new Measurement<long>(counters[i].Value, new KeyValuePair<string, object?>("hook", NodeCounters.Hooks[i]));
    }

    private static IEnumerable<Measurement<int>> Members(ActorSystem system)
    {
        if (system.WhenTerminated.IsCompleted) yield break;
        var counts = new int[Statuses.Length];
        foreach (var member in Cluster.Get(system).State.Members) counts[Array.IndexOf(Statuses, member.Status)]++;
        for (var i = 0; i < Statuses.Length; i++)
            yield return new Measurement<int>(counts[i], new KeyValuePair<string, object?>("status", Statuses[i].ToString().ToLowerInvariant()));
    }

    private static IEnumerable<Measurement<int>> Active(LocalConnections connections)
    {
        int socket = 0, websocket = 0;
        foreach (var c in connections.All)
        {
            if (c.Transport.Type == "socket") socket++;
            else websocket++;
        }
        yield return new Measurement<int>(socket, new KeyValuePair<string, object?>("transport", "socket"));
        yield return new Measurement<int>(websocket, new KeyValuePair<string, object?>("transport", "websocket"));
    }

    private static long Memberships(LocalConnections connections)
    {
        long sum = 0;
        foreach (var c in connections.All) sum += c.View.Rooms.Length;
        return sum;
    }

    private sealed record ShardStats(int Shards, int Entities);
}
