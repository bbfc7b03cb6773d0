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

    /// <summary>Say in the room. <paramref name="WantAck"/>: reply with a <see cref="RoomReply"/> (server API broadcasts).</summary>
    public sealed record Say(ChatPayload Payload, bool WantAck) : IChatMessage, IWithRoomName
    {
        public string Room => Payload.Room;
    }

    /// <summary>Ok when <paramref name="Error"/> is null; otherwise the catalogue text of the refusal.</summary>
    public sealed record RoomReply(string Room, string? Error) : IChatMessage
    {
        public bool Ok => Error is null;
    }

    // ---- room -> node fan-out (one per node that holds members) ----

    /// <summary>One chat message for every local member of the room on the receiving node.</summary>
    public sealed record Deliver(long Epoch, long Seq, ChatPayload Payload) : IChatMessage;

    public sealed record MemberAdded(string Room, string ConnectionId) : IChatMessage;

    public sealed record MemberRemoved(string Room, string ConnectionId) : IChatMessage;

    // ---- room -> connection ----

    /// <summary>The room removed this connection without being asked (the room was destroyed).</summary>
    public sealed record RemovedFromRoom(string Room) : IChatMessage;
}
