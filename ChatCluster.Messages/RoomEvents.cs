namespace ChatCluster.Messages;

/// <summary>What a RoomActor persists: the room's existence. Members are soft state owned by connections.</summary>
public static class RoomEvents
{
    /// <summary><paramref name="Epoch"/> changes on every (re)creation, so sequence numbers restart visibly.</summary>
    public sealed record RoomCreated(string Room, long Epoch, long CreatedAt) : IChatMessage;

    public sealed record RoomDestroyed(string Room, long DestroyedAt) : IChatMessage;
}
