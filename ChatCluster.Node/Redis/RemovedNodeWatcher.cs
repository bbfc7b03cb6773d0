using Akka.Actor;

namespace ChatCluster.Node.Redis;

/// <summary>Hands every node removed from the cluster to <see cref="RedisMemberStore.SweepRemovedNodeAsync"/>.</summary>
internal sealed class RemovedNodeWatcher : ReceiveActor
{
    public const string Name = "redis-removed-nodes";

    public RemovedNodeWatcher(RedisMemberStore members)
    {
        Receive<Akka.Cluster.ClusterEvent.MemberRemoved>(m => _ = members.SweepRemovedNodeAsync(m.Member));
        Receive<Akka.Cluster.ClusterEvent.IMemberEvent>(_ => { });
        Receive<Akka.Cluster.ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(RedisMemberStore members) => Akka.Actor.Props.Create(() => new RemovedNodeWatcher(members));

    protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self,
        Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(Akka.Cluster.ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
