using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Operations;

/// <summary>Logs the cluster membership changes an operator looks for, with stable event ids (see <see cref="OperationsLog"/>).</summary>
public sealed class ClusterEventLogger : ReceiveActor
{
    public const string Name = "cluster-event-logger";

    public ClusterEventLogger(ILogger logger)
    {
        Receive<ClusterEvent.MemberUp>(m => OperationsLog.MemberUp(logger, m.Member.Address.ToString()));
        Receive<ClusterEvent.MemberRemoved>(m => OperationsLog.MemberRemoved(logger, m.Member.Address.ToString(), m.PreviousStatus.ToString()));
        Receive<ClusterEvent.UnreachableMember>(m => OperationsLog.MemberUnreachable(logger, m.Member.Address.ToString()));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public static Props Props(ILogger logger) => Akka.Actor.Props.Create(() => new ClusterEventLogger(logger));

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.UnreachableMember));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
}
