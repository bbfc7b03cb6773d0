using Akka.Actor;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Connections;

/// <summary>
/// One timer for the whole node instead of one per say: every half retry interval it looks at each connection's say
/// in flight and nudges the connections whose say is overdue (<see cref="ConnectionInbox.RetrySay"/>); the connection
/// decides whether to send it again or give up. The say path itself only arms a slot (no timer, no allocation).
/// </summary>
public sealed class SayRetrySweeper : ReceiveActor, IWithTimers
{
    public const string Name = "say-retry";

    private readonly LocalConnections _connections;
    private readonly long _intervalMs;

    private sealed record Sweep
    {
        public static readonly Sweep Instance = new();
    }

    public SayRetrySweeper(LocalConnections connections, TimeSpan retryInterval)
    {
        _connections = connections;
        _intervalMs = (long)retryInterval.TotalMilliseconds;
        Receive<Sweep>(_ => SweepOnce());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(LocalConnections connections, TimeSpan retryInterval) =>
        ActorFactory<SayRetrySweeper>.Props(() => new SayRetrySweeper(connections, retryInterval));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, TimeSpan.FromMilliseconds(Math.Max(1, _intervalMs / 2)));

    private void SweepOnce()
    {
        var now = Environment.TickCount64;
        foreach (var connection in _connections.Enumerate())
            if (connection.Acks?.IsOverdue(now, _intervalMs) == true) connection.Actor.Tell(ConnectionInbox.RetrySay.Instance);
    }
}
