using Akka.Cluster;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Hosting;

/// <summary>
/// The node joins only once its serializers and room region exist (ChatAkka): the configured seed nodes are kept from
/// the cluster extension, which would otherwise join them as the actor system starts, and joined by the last startup
/// step, which names the region it found.
/// </summary>
public sealed class JoinOrderTests
{
    [Fact]
    public async Task A_node_with_seed_nodes_should_join_them_only_after_its_room_region_exists()
    {
        var port = FreePort.Next();
        var captured = new LogCapture();
        // INFO: the cluster extension says at start whether it was given seed nodes.
        var node = await ChatNode.StartAsync(
            TestConfig.Node(["akka.loglevel = INFO", $"akka.remote.dot-netty.tcp.port = {port}", $"akka.cluster.seed-nodes = [\"akka.tcp://joins@127.0.0.1:{port}\"]"], "joins")
                with { LogLevel = LogLevel.Information, LogProvider = captured, Environment = [] });
        try
        {
            Assert.Equal(MemberStatus.Up, Cluster.Get(node.System).SelfMember.Status);
            var join = Assert.Single(captured.WithEvent(2201));
            Assert.Contains($"akka.tcp://joins@127.0.0.1:{port}", join);
            Assert.Contains("/system/sharding/room", join);
            // The cluster extension started with no seed nodes: nothing joined before our step.
            await Eventually.TrueAsync(() => captured.Lines.Any(l => l.Text.Contains("No seed-nodes configured", StringComparison.Ordinal)),
                "Akka's cluster start line saying no seed nodes were configured");
        }
        finally
        {
            await node.StopAsync();
        }
    }
}
