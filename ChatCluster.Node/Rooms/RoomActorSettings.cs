namespace ChatCluster.Node.Rooms;

/// <summary>The RoomActor's share of <c>chatcluster.rooms</c>.</summary>
public sealed record RoomActorSettings(TimeSpan PassivateIdleAfter, TimeSpan PassivateMissingAfter, TimeSpan RegistryWriteTimeout);
