using Akka.Actor;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The message sharding sends a room's actor to stop it for a hand-over (instead of a PoisonPill): the actor first hands
/// its history to the actor that will start on another node (<see cref="HistoryHandOver"/>), then stops. Node-local.
/// </summary>
public sealed class RoomHandOff : INoSerializationVerificationNeeded
{
    public static readonly RoomHandOff Instance = new();

    private RoomHandOff() { }

    /// <summary>
    /// Parks the history with this node's fan-out (<see cref="ParkedHandOvers"/>), which answers the next actor's start
    /// announcement with it before the room orders anything, and also sends it to the room's shard region on another Up
    /// node, which delivers it once the shard has its new home (this node's own region may be stopping with it). That
    /// copy alone raced the says buffered in other regions (finding 3 of docs/reliability.md). No history: nothing to send.
    /// The last say per sender within the retry window goes with it (<see cref="OrderedSays{TNode}.Recent"/>), so a sender's
    /// retry that reaches the next actor is answered with its delivery, not ordered a second time.
    /// </summary>
    public static void SendHistory(IUntypedActorContext context, string room, bool exists, long epoch, long seq, RoomHistory? history,
        OrderedSays<IActorRef>? ordered, long now, int maxBytes)
    {
        if (history is null || seq == 0) return;
        var handOver = Fitted(room, epoch, seq, history.Last(history.Size, now), ordered?.Recent(now), maxBytes);
        // Parked on this node first (its fan-out stays up until the node has left): the room's next actor asks every node
        // for its members before it orders anything, and this node answers with the history ahead of its members.
        // Only for a room that exists: the next actor asks nodes for members only then, and an unasked history would
        // stay parked for nothing.
        if (exists) context.ActorSelection("/user/" + NodeFanoutActor.Name).Tell(handOver, ActorRefs.NoSender);
        // Also through another node's region, for a next actor that cannot reach this node's fan-out any more.
        var cluster = Akka.Cluster.Cluster.Get(context.System);
        var other = cluster.State.Members.FirstOrDefault(m => m.Status == Akka.Cluster.MemberStatus.Up && !m.Address.Equals(cluster.SelfAddress));
        if (other is null) return;
        context.ActorSelection(new RootActorPath(other.Address) / "system" / "sharding" / RegionName).Tell(handOver, ActorRefs.NoSender);
    }

    /// <summary>
    /// The hand-over, cut to <paramref name="maxBytes"/> (<c>chatcluster.history.max-chunk-bytes</c>, below Akka's frame
    /// size): a larger message between nodes is dropped by remoting, and the next actor then starts a new epoch (the
    /// long chaos run's SIGTERM phase: hand-overs of 0.3-0.9 MB of a 20,000-message history were discarded). The newest
    /// tickets get up to half (a retry is at most a retry window old), the newest history the rest: the epoch and the
    /// offsets go on, only the oldest messages are not kept, as when the history's size bound drops them.
    /// </summary>
    public static HistoryHandOver Fitted(string room, long epoch, long seq, IReadOnlyList<HistoryEntry> entries,
        List<HistoryEntry>? recent, int maxBytes)
    {
        IReadOnlyList<HistoryEntry>? tickets = null;
        var ticketBytes = 0;
        if (recent is { Count: > 0 })
        {
            recent.Sort((a, b) => a.At.CompareTo(b.At));
            tickets = HistoryChunks.Fit(recent, maxBytes / 2, newest: true);
            foreach (var e in tickets) ticketBytes += HistoryChunks.SizeOf(e);
        }
        return new HistoryHandOver(room, epoch, seq, HistoryChunks.Fit(entries, maxBytes - ticketBytes, newest: true), tickets);
    }

    /// <summary>The shard region's type name (ChatNode starts it).</summary>
    public const string RegionName = "room";
}
