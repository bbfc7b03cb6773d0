using Akka.Actor;
using Akka.Event;
using ChatCluster.Transports;

namespace ChatCluster.Node.Core;

/// <summary>
/// A connection held by this node: its id, its socket's outbound side, its actor, and the latest snapshot
/// of its state (published by the actor, read by middleware on any thread).
/// </summary>
public sealed class LocalConnection
{
    private volatile ConnectionView _view;

    public LocalConnection(string id, IClientTransport transport, IActorRef actor, ConnectionView view)
    {
        Id = id;
        Transport = transport;
        Actor = actor;
        _view = view;
    }

    public string Id { get; }

    public IClientTransport Transport { get; }

    public IActorRef Actor { get; }

    /// <summary>The say in flight; created by the connection's first say (idle connections do not pay for it).</summary>
    public SayAckSlot? Acks { get; set; }

    /// <summary>
    /// The room ordered say <paramref name="sayId"/> (its delivery reached this node): the OK goes into the socket now,
    /// before the caller writes the message itself, and the actor goes on with the next request. False when the say
    /// was answered already (a copy, or the connection gave up on it).
    /// </summary>
    public bool Acknowledge(long sayId)
    {
        if (Acks?.TryTake(sayId) is not { } reply) return false;
        Transport.Reply(reply); // the say's reply: one request less in flight (chatcluster.limits.max-requests-in-flight)
        Actor.Tell(new SayAcked(sayId));
        return true;
    }

    public ConnectionView View
    {
        get => _view;
        set => _view = value;
    }

    // The messages the rest of the node sends a connection's actor (the socket's own are in ConnectionInbox).

    /// <summary>
    /// Server-side <c>chatRoom.addMember</c> / <c>removeMember</c> for this connection (a cluster RPC from an ActionHero
    /// node): the same path as the verbs (join / leave middleware, then the room); answered with a
    /// <see cref="Messages.RoomProtocol.RoomReply"/> to the sender instead of a reply to the client.
    /// </summary>
    public sealed record ChangeRoom(string Room, bool Join) : INoSerializationVerificationNeeded;

    /// <summary>The room ordered the connection's say in flight; the OK is written already (by the fan-out).</summary>
    public sealed record SayAcked(long SayId) : INoSerializationVerificationNeeded, IDeadLetterSuppression;
}
