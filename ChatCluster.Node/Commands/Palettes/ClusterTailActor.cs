using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;

namespace ChatCluster.Node.Commands.Palettes;

/// <summary>Starts a <see cref="ClusterTailActor"/> for one command; it stops when the command's replies are cancelled.</summary>
public static class ClusterTail
{
    public static void Start(ActorSystem system, CommandReplies reply)
    {
        var tail = system.ActorOf(Props.Create(() => new ClusterTailActor(reply)));
        reply.Cancelled.Register(() => tail.Tell(PoisonPill.Instance));
    }
}

/// <summary>Prints member and reachability events (the current members first, as events) until cancelled.</summary>
public sealed class ClusterTailActor : ReceiveActor
{

    public ClusterTailActor(CommandReplies reply)
    {
        Receive<ClusterEvent.IMemberEvent>(e => Print(reply, e.GetType().Name, e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => Print(reply, "UnreachableMember", e.Member));
        Receive<ClusterEvent.ReachableMember>(e => Print(reply, "ReachableMember", e.Member));
        Receive<ClusterEvent.LeaderChanged>(e => reply.Line($"{Now()} LeaderChanged: {e.Leader?.ToString() ?? "none"}",
            new JsonObject { ["at"] = Now(), ["event"] = "LeaderChanged", ["address"] = e.Leader?.ToString() }));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    protected override void PreStart() => Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
        typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static void Print(CommandReplies reply, string kind, Member m) => reply.Line(
        $"{Now()} {kind}: {m.Address} | [{string.Join(",", m.Roles.OrderBy(x => x, StringComparer.Ordinal))}] | {ClusterPalette.StatusText(m.Status)}",
        new JsonObject { ["at"] = Now(), ["event"] = kind, ["address"] = m.Address.ToString(), ["status"] = ClusterPalette.StatusText(m.Status) });
}
