using Akka.Actor;

namespace ChatCluster.Messages;

/// <summary>
/// Commands to a RoomActor (one per room in the cluster) and its replies.
/// Every command that expects an answer gets a <see cref="RoomProtocol.RoomReply"/> (or a typed reply).
/// </summary>
public static class RoomProtocol
{
    public sealed record CreateRoom(string Room) : IChatMessage, IWithRoomName;

    public sealed record DestroyRoom(string Room) : IChatMessage, IWithRoomName;

    public sealed record CheckRoomExists(string Room) : IChatMessage, IWithRoomName;

    public sealed record RoomExistsReply(string Room, bool Exists) : IChatMessage;

    /// <summary>
    /// Join a member. <paramref name="NodeFanout"/> is the fan-out actor of the node that holds the connection:
    /// the room tells it <see cref="MemberAdded"/> before it replies, so no later message can miss the new member.
    /// </summary>
    public sealed record JoinRoom(string Room, string ConnectionId, IActorRef Connection, IActorRef NodeFanout, long JoinedAt)
        : IChatMessage, IWithRoomName;

    public sealed record LeaveRoom(string Room, string ConnectionId) : IChatMessage, IWithRoomName;

    public sealed record GetRoomStatus(string Room) : IChatMessage, IWithRoomName;

    public sealed record RoomMember(string ConnectionId, long JoinedAt);

    /// <summary>The answer to <see cref="GetRoomStatus"/>, or an error (room does not exist).</summary>
    public sealed record RoomStatusReply(string Room, IReadOnlyList<RoomMember> Members, string? Error) : IChatMessage;

    /// <summary>
    /// Say in the room. <paramref name="WantAck"/>: reply with a <see cref="RoomReply"/> once ordered (server API
    /// broadcasts). <paramref name="Ticket"/>: the say's identity for acknowledgement and deduplication; the room puts it
    /// on the <see cref="Deliver"/>, and the node that holds the sender answers the sender when it arrives.
    /// <paramref name="AckTo"/>: the sender's node fan-out, sent the delivery even when that node holds no member of the
    /// room (so the sender is still answered).
    /// </summary>
    public sealed record Say(ChatPayload Payload, bool WantAck, SayTicket? Ticket = null, IActorRef? AckTo = null) : IChatMessage, IWithRoomName
    {
        public string Room => Payload.Room;
    }

    /// <summary>
    /// Who said it (<paramref name="Key"/>: the connection id, or a key of its own per server broadcast) and the say's
    /// number, increasing per key. A retried say keeps its ticket, so a node that already delivered it drops the copy.
    /// </summary>
    public sealed record SayTicket(string Key, long Id);

    /// <summary>The room refused a ticketed say (it does not exist): the sender's connection answers the client.</summary>
    public sealed record SayRefused(string Room, long SayId, string Error) : IChatMessage;

    /// <summary>Ok when <paramref name="Error"/> is null; otherwise the catalogue text of the refusal.</summary>
    public sealed record RoomReply(string Room, string? Error) : IChatMessage
    {
        public bool Ok => Error is null;
    }

    // ---- room -> node fan-out (one per node that holds members) ----

    /// <summary>
    /// One chat message for every local member of the room on the receiving node. <paramref name="Ticket"/>: the say's
    /// identity (null for chat that did not come from a ticketed say): deduplicated per node, and acknowledged to the
    /// sender by the node that holds it. <paramref name="ConfirmTo"/>: the room, when members on other nodes than the
    /// sender's must have the message before the sender's OK: those nodes answer <see cref="DeliveryConfirmed"/>, and
    /// the sender's node waits for <see cref="SayConfirmed"/> instead of acknowledging on arrival.
    /// </summary>
    public sealed record Deliver(long Epoch, long Seq, ChatPayload Payload, SayTicket? Ticket = null, IActorRef? ConfirmTo = null)
        : IChatMessage;

    /// <summary>A node fan-out delivered (or had delivered) the ticketed say to its members; <paramref name="NodeFanout"/> names the node.</summary>
    public sealed record DeliveryConfirmed(string Room, SayTicket Ticket, IActorRef NodeFanout) : IChatMessage;

    /// <summary>Every other node with members has the say: the sender's node writes the sender's OK.</summary>
    public sealed record SayConfirmed(string Room, SayTicket Ticket) : IChatMessage;

    public sealed record MemberAdded(string Room, string ConnectionId, long JoinedAt) : IChatMessage;

    public sealed record MemberRemoved(string Room, string ConnectionId) : IChatMessage;

    /// <summary>
    /// A room actor (re)started with its existence but without members (it moved, or its node left or crashed):
    /// every node answers with its local members of the room (<see cref="RejoinMembers"/>), so members are exact
    /// again without any client noticing.
    /// </summary>
    public sealed record RoomStarted(string Room, IActorRef RoomActor) : IChatMessage;

    public sealed record Rejoin(string ConnectionId, IActorRef Connection, long JoinedAt);

    /// <summary>A node's local members of a room, sent back to the restarted room actor.</summary>
    public sealed record RejoinMembers(string Room, IActorRef NodeFanout, IReadOnlyList<Rejoin> Members) : IChatMessage;

    /// <summary>Optional presence notice (chatcluster.rooms.presence-events): a member joined or left (or its node crashed).</summary>
    public sealed record Presence(string Room, string Kind, string ConnectionId, long At) : IChatMessage
    {
        public const string Join = "join";
        public const string Leave = "leave";
    }

    // ---- room -> connection ----

    /// <summary>The room removed this connection without being asked (the room was destroyed).</summary>
    public sealed record RemovedFromRoom(string Room) : IChatMessage;
}
