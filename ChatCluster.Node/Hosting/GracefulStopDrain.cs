using Akka.Cluster;
using ChatCluster.Node.Commands;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// The default drain: starts <see cref="ChatNode.StopAsync"/> (goodbyes, servers stop, CoordinatedShutdown leaves the
/// cluster) and reports what it observes until the actor system has terminated. It waits for termination, not for
/// StopAsync itself, because StopAsync ends by closing the ccm listener that is streaming this progress.
/// </summary>
public sealed class GracefulStopDrain(ChatNode node) : INodeDrain
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public async Task DrainAsync(Action<string> progress, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        var deadline = started + timeout;
        var connections = node.Services.Connections.Count;
        progress($"draining {node.Address}: {connections} connections, stop accepting");
        _ = node.StopAsync();
        var lastCount = connections;
        var leaving = false;
        while (!node.System.WhenTerminated.IsCompleted && DateTime.UtcNow < deadline)
        {
            var count = node.Services.Connections.Count;
            if (count != lastCount)
            {
                progress(count == 0 ? "goodbye sent: every client disconnected" : $"goodbyes: {count} connections left");
                lastCount = count;
            }
            if (!leaving && Cluster.Get(node.System).SelfMember.Status is MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Removed)
            {
                progress("leaving the cluster: rooms hand over to the other nodes");
                leaving = true;
            }
            await Task.WhenAny(node.System.WhenTerminated, Task.Delay(Poll));
        }
        if (!node.System.WhenTerminated.IsCompleted)
            throw new CommandException($"the node had not left after {timeout} (it keeps stopping)");
        progress($"left the cluster; drained in {(DateTime.UtcNow - started).TotalSeconds:0.0}s");
    }
}
