using Akka;
using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Operations;

/// <summary>
/// The drain as CoordinatedShutdown tasks, so it runs the same whether SIGTERM, <c>ChatNode.DrainAsync</c>, a
/// <c>ccm node drain</c> or the cluster downing this node started it:
/// <code>
/// before-service-unbind   /healthz/ready -> 503; wait chatcluster.drain.unready-delay (load balancers notice)
/// service-unbind          admission closed: a new connection gets its welcome and goodbye at once
/// service-requests-done   every client gets its goodbye (TCP Bye!, primus::server::close); wait until all are
///                         closed, at most chatcluster.close-timeout (their flushes)
/// service-stop            the public listeners stop (later connects are refused by the OS)
/// cluster-sharding-shutdown-region, cluster-leave, ...   Akka's own: rooms handed over, then leave
/// </code>
/// </summary>
public static class NodeDrain
{
    public static void Register(ActorSystem system, NodeReadiness readiness, ConnectionGate gate, LocalConnections connections,
        TimeSpan unreadyDelay, TimeSpan closeTimeout, Func<Task> stopListeners, ILogger logger)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "chatcluster-not-ready", async () =>
        {
            readiness.Drain();
            OperationsLog.DrainUnready(logger, (long)unreadyDelay.TotalMilliseconds);
            if (unreadyDelay > TimeSpan.Zero) await Task.Delay(unreadyDelay);
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "chatcluster-stop-admission", () =>
        {
            gate.Close();
            return Task.FromResult(Done.Instance);
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "chatcluster-goodbyes", async () =>
        {
            await GoodbyesAsync(connections, closeTimeout, logger);
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "chatcluster-stop-listeners", async () =>
        {
            await stopListeners();
            return Done.Instance;
        });
    }

    // Connections that opened just before admission closed may register after the first round: every round tells
    // the ones not told yet, until none is left or the time is up.
    private static async Task GoodbyesAsync(LocalConnections connections, TimeSpan closeTimeout, ILogger logger)
    {
        OperationsLog.DrainGoodbyes(logger, connections.Count);
        var told = new HashSet<string>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + closeTimeout;
        while (connections.Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var connection in connections.All)
                if (told.Add(connection.Id)) connection.Actor.Tell(new ConnectionProtocol.CloseConnection(connection.Id));
            await Task.Delay(PollInterval);
        }
        if (connections.Count > 0) OperationsLog.DrainTimedOut(logger, connections.Count, (long)closeTimeout.TotalMilliseconds);
    }

    // How often the goodbye round looks for connections still open: short against close-timeout (seconds).
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
}
