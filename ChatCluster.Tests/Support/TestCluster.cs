using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Rooms;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Support;

/// <summary>
/// Several real nodes in one process (test.conf: port 0 for remoting, TCP and web; fast failure detection),
/// joined through the first node's address. Every node serves real sockets.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(List<ChatNode> nodes, List<LogCapture> logs)
    {
        Nodes = nodes;
        Logs = logs;
    }

    public List<ChatNode> Nodes { get; }

    /// <summary>Each node's log lines (at the level the cluster was started with), for a failing test to show.</summary>
    public List<LogCapture> Logs { get; }

    public ChatNode this[int index] => Nodes[index];

    public static Task<TestCluster> StartAsync(int count, params string[] overrides) => StartAsync(count, LogLevel.Warning, overrides);

    /// <summary>As <see cref="StartAsync(int, string[])"/>, with the nodes logging at <paramref name="level"/> and up.</summary>
    public static async Task<TestCluster> StartAsync(int count, LogLevel level, params string[] overrides)
    {
        // Between nodes every message really goes through its serializer. serialize-messages (on in test.conf for the
        // single-node tests) must be off here: Akka.DistributedData 1.5.73 sends its local ReadRepair message, which has no
        // serializer, during the majority reads that sharding's coordinator and our room registry make.
        overrides = overrides.Append("akka.actor.serialize-messages = off").ToArray();
        var logs = Enumerable.Range(0, count).Select(_ => new LogCapture()).ToList();
        var first = await Start(overrides, level, logs[0]);
        var nodes = new List<ChatNode> { first };
        var seed = $"akka.cluster.seed-nodes = [\"{first.Address}\"]";
        var others = await Task.WhenAll(Enumerable.Range(1, count - 1).Select(i => Start(overrides.Append(seed).ToArray(), level, logs[i])));
        nodes.AddRange(others);
        var cluster = new TestCluster(nodes, logs);
        await Eventually.TrueAsync(() => nodes.All(n => Cluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == count),
            $"all {count} nodes see each other Up");
        return cluster;
    }

    private static Task<ChatNode> Start(string[] overrides, LogLevel level, LogCapture log) =>
        ChatNode.StartAsync(TestConfig.Node(overrides, "cluster") with { LogLevel = level, LogProvider = log });

    /// <summary>Every node's captured log lines (the last <paramref name="last"/> of each), prefixed by the node's index:
    /// for a failure message.</summary>
    public string LogText(int last = 200) =>
        string.Join("\n", Logs.SelectMany((log, i) => log.Lines.TakeLast(last).Select(l => $"node {i} [{l.EventId}] {l.Text}")));

    /// <summary>Creates rooms until one's actor lives on <paramref name="host"/>; returns its name.</summary>
    public async Task<string> RoomHostedOnAsync(ChatNode host, string prefix = "hosted")
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var room = $"{prefix}-{Guid.NewGuid():N}";
            await Nodes[0].Api.AddAsync(room);
            var region = ClusterSharding.Get(host.System).ShardRegion("room");
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Timeouts.Expect);
            var entity = RoomMessageExtractor.EntityIdOf(room);
            if (state.Shards.Any(s => s.EntityIds.Contains(entity))) return room;
        }
        throw new InvalidOperationException("no room landed on the wanted node in 64 tries");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.AsEnumerable().Reverse())
        {
            try
            {
                await node.StopAsync();
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
            }
        }
    }
}
