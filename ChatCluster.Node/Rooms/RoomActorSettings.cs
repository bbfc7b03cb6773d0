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
    /// <summary>
    /// How long a (re)started room waits for the nodes to report their members before it goes on
    /// (<c>chatcluster.rooms.rejoin-timeout</c>).
    /// </summary>
    public TimeSpan RejoinTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>chatcluster.rooms.rejoin-timeout</c>, which must be a positive duration.</summary>
    public static TimeSpan ReadRejoinTimeout(Akka.Configuration.Config root)
    {
        const string path = "chatcluster.rooms.rejoin-timeout";
        var timeout = root.GetTimeSpan(path, TimeSpan.Zero);
        if (timeout <= TimeSpan.Zero)
            throw new Akka.Configuration.ConfigurationException($"{path} must be a positive duration (e.g. 2s), was {root.GetString(path, "")}");
        return timeout;
    }

    /// <summary>
    /// How long an ordered say waits for other nodes to confirm it: the sender's retry bound
    /// (<c>chatcluster.rooms.say-retry-timeout</c>); after it the sender has answered its client itself.
    /// </summary>
    public TimeSpan ConfirmationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a room with unconfirmed says looks for expired ones (<c>chatcluster.rooms.say-retry-interval</c>).</summary>
    public TimeSpan ConfirmationSweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>chatcluster.history</c>: how many messages each room keeps (off unless configured).</summary>
    public HistorySettings History { get; init; } = HistorySettings.Off;
}
