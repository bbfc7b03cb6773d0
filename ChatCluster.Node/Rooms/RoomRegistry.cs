using Akka.DistributedData;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The set of existing rooms, replicated to every node (Akka.DistributedData ORSet). Rooms are written by
/// their RoomActor (created/destroyed) and read by <c>list()</c> and by a RoomActor that starts without
/// journal state (its in-memory journal lived on a node that is gone): the room still exists, in a new epoch.
/// </summary>
public static class RoomRegistry
{
    public static readonly ORSetKey<string> Key = new("chatcluster-rooms");
}
