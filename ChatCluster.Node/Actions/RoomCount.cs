using Akka.Actor;
using Akka.DistributedData;
using ChatCluster.Node.Rooms;

namespace ChatCluster.Node.Actions;

/// <summary>
/// How many rooms the cluster has, from this node's replica of the room registry: no network round trip (the creation
/// cap asks on every anonymous creation; SMEMBERS of ActionHero's set would move every room name each time).
/// </summary>
public static class RoomCount
{
    private static readonly TimeSpan LocalReadTimeout = TimeSpan.FromSeconds(5); // a local read; only a stalled replicator takes long

    public static async Task<int> LocalAsync(ActorSystem system)
    {
        var reply = await DistributedData.Get(system).Replicator
            .Ask<IGetResponse>(Dsl.Get(RoomRegistry.Key, ReadLocal.Instance), LocalReadTimeout).ConfigureAwait(false);
        return reply is GetSuccess success ? success.Get(RoomRegistry.Key).Elements.Count : 0;
    }
}
