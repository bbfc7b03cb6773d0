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
    /// <remarks>
    /// <paramref name="Positions"/>: the client opted in to offsets (docs/history.md): its node writes every message of
    /// the room with its offset and epoch, and the room answers with a <see cref="PositionReply"/>. <paramref name="Since"/>:
    /// the last position the client saw; the room replays what it missed (a <see cref="Replay"/> to the node, before any
    /// later message) and says whether that was all of it. Since implies positions.
    /// </remarks>
    public sealed record JoinRoom(string Room, string ConnectionId, IActorRef Connection, IActorRef NodeFanout, long JoinedAt,
        bool Positions = false, Position? Since = null)
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
    /// room (so the sender is still answered). <paramref name="Prior"/>: on a retry, where the sender's node saw the say
    /// ordered before (its own copy arrived, the OK did not): the room's next actor does not order it again in that epoch,
    /// and in a new epoch members that rejoined from at or after it are spared the copy (docs/history.md).
    /// </summary>
    public sealed record Say(ChatPayload Payload, bool WantAck, SayTicket? Ticket = null, IActorRef? AckTo = null, Position? Prior = null)
        : IChatMessage, IWithRoomName
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
    /// the sender's node waits for <see cref="SayConfirmed"/> instead of acknowledging on arrival. <paramref name="Prior"/>:
    /// the say was ordered before at this position of an earlier epoch (the room's previous actor crashed): a member that
    /// rejoined from at or after it has it already and is not sent it again.
    /// </summary>
    public sealed record Deliver(long Epoch, long Seq, ChatPayload Payload, SayTicket? Ticket = null, IActorRef? ConfirmTo = null,
        Position? Prior = null) : IChatMessage;

    /// <summary>A node fan-out delivered (or had delivered) the ticketed say to its members; <paramref name="NodeFanout"/> names the node.</summary>
    public sealed record DeliveryConfirmed(string Room, SayTicket Ticket, IActorRef NodeFanout) : IChatMessage;

    /// <summary>Every other node with members has the say: the sender's node writes the sender's OK.</summary>
    public sealed record SayConfirmed(string Room, SayTicket Ticket) : IChatMessage;

    /// <summary>
    /// <paramref name="Positions"/>: write this member's messages with offset and epoch (it opted in).
    /// <paramref name="SeenBefore"/>: the member rejoined from this position of an earlier epoch (it saw that epoch up to
    /// there), so a say re-ordered with a <see cref="Deliver.Prior"/> at or before it is not written to it again.
    /// </summary>
    public sealed record MemberAdded(string Room, string ConnectionId, long JoinedAt, bool Positions = false, Position? SeenBefore = null)
        : IChatMessage;

    // ---- positions and history (docs/history.md) ----

    /// <summary>A place in a room's message stream: the room's <paramref name="Epoch"/> and the offset of a message in it.</summary>
    public sealed record Position(long Epoch, long Offset);

    /// <summary>
    /// One message of a room's history: its offset, the message, and when the room ordered it (ms since 1970);
    /// <paramref name="Ticket"/>: the say it came from, so the room's next actor answers a retry of it instead of ordering
    /// it again (kept by the room and its store, not sent to clients or in replays).
    /// </summary>
    public sealed record HistoryEntry(long Offset, ChatPayload Payload, long At, SayTicket? Ticket = null);

    /// <summary>
    /// The messages a rejoining member missed, sent by the room to the member's node right after <see cref="MemberAdded"/>
    /// (so before any message the room orders later): the node writes them to that member only, in order. A long replay
    /// comes in several of these (each below the remoting frame size); the last one carries the join's
    /// <paramref name="Reply"/>, which the node hands to <paramref name="ReplyTo"/> after writing, so the client reads the
    /// replay before the reply.
    /// </summary>
    public sealed record Replay(string Room, string ConnectionId, long Epoch, IReadOnlyList<HistoryEntry> Entries, PositionReply? Reply,
        IActorRef? ReplyTo) : IChatMessage;

    /// <summary>
    /// The answer to a join with positions: the room's epoch and last offset. <paramref name="Recovered"/>: null when
    /// the join gave no position; true when every message after it was replayed; false when some could not be (epoch
    /// changed, or the history no longer holds them).
    /// </summary>
    public sealed record PositionReply(string Room, long Epoch, long Offset, bool? Recovered, int Replayed) : IChatMessage;

    /// <summary>
    /// A room's history, handed from its actor that stops for a graceful hand-over (node leave, rebalance) to the one
    /// that starts elsewhere (through the shard region, like any room command): the new actor continues the same epoch
    /// and offsets if it has not ordered a message of its own yet (then clients recover across the move).
    /// <paramref name="Ordered"/>: the last say per sender the old actor ordered within the retry window (with tickets),
    /// so a retry that reaches the new actor gets the same delivery instead of a second order.
    /// </summary>
    public sealed record HistoryHandOver(string Room, long Epoch, long Seq, IReadOnlyList<HistoryEntry> Entries,
        IReadOnlyList<HistoryEntry>? Ordered = null) : IChatMessage, IWithRoomName;

    /// <summary>
    /// Read a room's history for one of its members: the last <paramref name="Limit"/> messages, or (with
    /// <paramref name="Since"/>) those after a position. Answered with a <see cref="HistoryReply"/>.
    /// </summary>
    public sealed record ReadHistory(string Room, string ConnectionId, int Limit, Position? Since) : IChatMessage, IWithRoomName
    {
        /// <summary>The reader id of the server API (no connection has it): reads any existing room.</summary>
        public const string Server = ChatPayload.ServerSender;
    }

    /// <summary>
    /// History of a room, oldest first, with the room's epoch and last offset; or an <paramref name="Error"/>.
    /// <paramref name="Recovered"/> as in <see cref="PositionReply"/> (null without a position).
    /// </summary>
    public sealed record HistoryReply(string Room, long Epoch, long Offset, IReadOnlyList<HistoryEntry> Entries, bool? Recovered, string? Error)
        : IChatMessage;

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
