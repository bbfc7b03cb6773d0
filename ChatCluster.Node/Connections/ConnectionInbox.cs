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

    /// <summary>A verb in progress: for which room, and how to answer the client.</summary>
    internal sealed record PendingVerb(string Room, string MessageIdJson, string? DataJson)
    {
        /// <summary>Set for a server-side <see cref="LocalConnection.ChangeRoom"/>: the outcome goes to this actor, not to the client.</summary>
        public IActorRef? ReplyTo { get; init; }

        /// <summary>A join's positions-and-history options (<see cref="HistoryVerbs"/>); null for ActionHero's join.</summary>
        public HistoryVerbs.JoinOptions? Join { get; init; }
    }

    // The answers a waiting verb waits for, one type per question (the verb knows what it asked). A null answer: the
    // middleware failed or the room did not answer in time.

    /// <summary>Join (<paramref name="Join"/>) or leave middleware decided on <see cref="PendingVerb.Room"/>.</summary>
    internal sealed record RoomChecked(PendingVerb Verb, bool Join, Middleware.RoomVerdict? Verdict) : INoSerializationVerificationNeeded;

    /// <summary>onSayReceive middleware decided on the say of <paramref name="Payload"/>.</summary>
    internal sealed record SayChecked(PendingVerb Verb, Messages.ChatPayload Payload, Middleware.SayVerdict? Verdict) : INoSerializationVerificationNeeded;

    /// <summary>The room answered a join (<paramref name="Join"/>) or a leave.</summary>
    internal sealed record MembershipChanged(PendingVerb Verb, bool Join, Messages.RoomProtocol.RoomReply? Reply) : INoSerializationVerificationNeeded;

    /// <summary>The room answered a join with positions: a <c>PositionReply</c>, or a <c>RoomReply</c> refusal (history extension).</summary>
    internal sealed record PositionedJoin(PendingVerb Verb, object? Reply) : INoSerializationVerificationNeeded;

    /// <summary>The room answered <c>roomHistory</c> (history extension).</summary>
    internal sealed record HistoryRead(PendingVerb Verb, Messages.RoomProtocol.HistoryReply? Reply) : INoSerializationVerificationNeeded;

    /// <summary>The room answered <c>roomView</c>.</summary>
    internal sealed record RoomViewed(PendingVerb Verb, Messages.RoomProtocol.RoomStatusReply? Status) : INoSerializationVerificationNeeded;

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
