using Akka.Cluster.Sharding;
using ChatCluster.Messages;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// Routes <see cref="IWithRoomName"/> commands to the room's entity. The entity id is the room name with a
/// prefix (room names may be any string, the empty one included); the shard id is a stable FNV-1a hash so
/// every node computes the same shard (string.GetHashCode is randomized per process).
/// </summary>
public sealed class RoomMessageExtractor : IMessageExtractor
{
    private const string Prefix = "r:";
    private readonly int _shardCount;

    public RoomMessageExtractor(int shardCount) => _shardCount = shardCount;

    public static string EntityIdOf(string room) => Prefix + room;

    public static string RoomOf(string entityId) => entityId[Prefix.Length..];

    public string? EntityId(object message) => message is IWithRoomName m ? EntityIdOf(m.Room) : null;

    public object? EntityMessage(object message) => message;

    public string ShardId(object message) => message is IWithRoomName m ? ShardOf(m.Room) : throw new ArgumentException($"not a room message: {message.GetType().Name}");

    public string ShardId(string entityId, object? messageHint = null) => ShardOf(RoomOf(entityId));

    private string ShardOf(string room)
    {
        var hash = 2166136261u;
        foreach (var ch in room)
        {
            hash = (hash ^ ch) * 16777619u;
        }
        return (hash % (uint)_shardCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
