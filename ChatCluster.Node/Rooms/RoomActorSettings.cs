namespace ChatCluster.Node.Rooms;

/// <summary>
/// The RoomActor's share of <c>chatcluster.rooms</c>. <paramref name="JournalIsShared"/>: the journal survives
/// any node (Redis), so it decides whether a room exists; otherwise the replicated registry decides (an
/// in-memory journal stays behind on the node where the room used to live).
/// </summary>
public sealed record RoomActorSettings(
    TimeSpan PassivateIdleAfter,
    TimeSpan PassivateMissingAfter,
    TimeSpan RegistryWriteTimeout,
    TimeSpan RegistryReadTimeout = default,
    bool JournalIsShared = false,
    bool PresenceEvents = false)
{
    /// <summary>How long a (re)started room waits for the nodes to report their members before it goes on.</summary>
    public TimeSpan RejoinTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>chatcluster.history</c>: how many messages each room keeps (off unless configured).</summary>
    public HistorySettings History { get; init; } = HistorySettings.Off;
}
