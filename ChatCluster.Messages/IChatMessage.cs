namespace ChatCluster.Messages;

/// <summary>Every message that can cross nodes or be persisted; binds to <see cref="ChatMessageSerializer"/>.</summary>
public interface IChatMessage;

/// <summary>Messages addressed to one room; the shard router takes the entity id from here.</summary>
public interface IWithRoomName
{
    string Room { get; }
}
