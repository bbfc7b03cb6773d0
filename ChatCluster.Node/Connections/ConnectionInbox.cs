using Akka.Actor;
using Akka.Event;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>Node-local messages from a connection's socket to its actor (never cross nodes).</summary>
public static class ConnectionInbox
{
    public sealed record Request(ClientRequest Value) : INoSerializationVerificationNeeded;

    /// <summary>
    /// A request a limit refused before it reached the actor (the say rate limit): answered with
    /// <paramref name="Error"/> in request order; with <paramref name="Disconnect"/> the connection then closes.
    /// </summary>
    public sealed record Refused(ClientRequest Value, string Error, bool Disconnect) : INoSerializationVerificationNeeded;

    public sealed record LineTooLong(long ReceivedBytes, long MaxBytes) : INoSerializationVerificationNeeded;

    public sealed record Break : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Break Instance = new();
        private Break() { }
    }

    public sealed record TransportClosed : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly TransportClosed Instance = new();
        private TransportClosed() { }
    }

    /// <summary>
    /// Server-side <c>chatRoom.addMember</c> / <c>removeMember</c> for this connection (a cluster RPC from an ActionHero
    /// node): the same path as the verbs (join / leave middleware, then the room); answered with a
    /// <see cref="Messages.RoomProtocol.RoomReply"/> to the sender instead of a reply to the client.
    /// </summary>
    public sealed record ChangeRoom(string Room, bool Join) : INoSerializationVerificationNeeded;

    /// <summary>
    /// The answer a waiting verb was waiting for: a room's reply, a middleware verdict, or null when the
    /// room did not answer in time.
    /// </summary>
    internal sealed record Resume(PendingVerb Verb, object? Answer) : INoSerializationVerificationNeeded;

    /// <summary>A verb in progress: what it is, for which room, and how to answer the client.</summary>
    internal sealed record PendingVerb(string Name, string Room, string MessageIdJson, string? DataJson, Messages.ChatPayload? Payload = null)
    {
        /// <summary>Set for a server-side <see cref="ChangeRoom"/>: the outcome goes to this actor, not to the client.</summary>
        public IActorRef? ReplyTo { get; init; }

        /// <summary>A join's positions-and-history options (<see cref="HistoryVerbs"/>); null for ActionHero's join.</summary>
        public HistoryVerbs.JoinOptions? Join { get; init; }
    }

    /// <summary>The room ordered the connection's say in flight; the OK is written already (by the fan-out).</summary>
    public sealed record SayAcked(long SayId) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The say in flight has not been confirmed for a retry interval (from <see cref="SayRetrySweeper"/>).</summary>
    public sealed record RetrySay : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RetrySay Instance = new();
        private RetrySay() { }
    }

    /// <summary>Connection <c>create</c> middleware has run; the welcome can go out.</summary>
    internal sealed record Created : INoSerializationVerificationNeeded
    {
        public static readonly Created Instance = new();
        private Created() { }
    }

    /// <summary>An action finished (actions run concurrently, up to the pending limit).</summary>
    internal sealed record ActionDone(Actions.ActionResult Result, string MessageIdJson) : INoSerializationVerificationNeeded;
}
