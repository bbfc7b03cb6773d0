namespace ChatCluster.Node.Rooms;

/// <summary>The legal moves between <see cref="RoomPhase"/>s; anything else is a bug and is refused loudly.</summary>
public static class RoomPhases
{
    public static bool CanMove(RoomPhase from, RoomPhase to) => (from, to) switch
    {
        (RoomPhase.Recovering, RoomPhase.Resolving) => true,
        (RoomPhase.Resolving, RoomPhase.LoadingHistory or RoomPhase.Rejoining or RoomPhase.Active) => true,
        (RoomPhase.LoadingHistory, RoomPhase.Rejoining or RoomPhase.Active) => true,
        (RoomPhase.Rejoining, RoomPhase.Active) => true,
        (RoomPhase.Active or RoomPhase.Listed, RoomPhase.Consulting or RoomPhase.WritingKeys) => true,
        (RoomPhase.Listed, RoomPhase.Active) => true,
        (RoomPhase.Consulting, RoomPhase.Listed) => true,
        (RoomPhase.WritingKeys, RoomPhase.Active) => true,
        _ => false,
    };

    /// <summary><paramref name="to"/>, or an <see cref="InvalidOperationException"/> naming the room and both phases.</summary>
    public static RoomPhase Move(string room, RoomPhase from, RoomPhase to) =>
        CanMove(from, to) ? to : throw new InvalidOperationException($"room {room}: illegal phase change {from} -> {to}");
}
