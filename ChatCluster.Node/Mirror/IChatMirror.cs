using ChatCluster.Messages;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Mirror;

/// <summary>
/// Where the cluster's chat state is mirrored for systems outside it: nowhere (<see cref="NoChatMirror"/>, the embedded
/// default) or ActionHero's Redis keys and bus (<c>Redis.RedisChatAdapter</c>, for mixed clusters). Rooms, the node
/// fan-out and the server API speak only to this, so none of them checks whether Redis is configured (the shape of
/// Centrifuge's broker / broker_memory / broker_redis). Every method is safe to call on any thread and never throws,
/// except where it says so.
/// </summary>
public interface IChatMirror
{
    /// <summary>
    /// Whether room existence is shared with another system (ActionHero's rooms SET): a room consults
    /// <see cref="RoomListedAsync"/> before it answers joins, creates, destroys and existence checks.
    /// </summary>
    bool SharesRooms { get; }

    /// <summary>Whether the shared store can answer now (a list from it is then the truth).</summary>
    bool Connected { get; }

    /// <summary>Listed in the shared store; null when unknown (store unreachable, or its data was lost): the room trusts itself.</summary>
    Task<bool?> RoomListedAsync(string room);

    /// <summary>The room was created (completes when the store has it, or failed and logged).</summary>
    Task RoomCreatedAsync(string room);

    /// <summary>The room was destroyed; <paramref name="ourMembers"/> were already removed by the room.</summary>
    Task RoomDestroyedAsync(string room, IReadOnlyCollection<string> ourMembers);

    /// <summary>The room's own members plus those the shared store lists for nodes outside this cluster.</summary>
    Task<IReadOnlyList<RoomMember>> MergeStatusAsync(string room, IReadOnlyList<RoomMember> ours);

    /// <summary>Entries of this cluster's nodes that are not <paramref name="live"/> (their node crashed) leave the store.</summary>
    Task PruneAsync(string room, IReadOnlyCollection<string> live);

    /// <summary>A member of this node joined (written by the node that holds the connection).</summary>
    void MemberJoined(string room, string connectionId, long joinedAt);

    /// <summary>A member left (idempotent: the holding node and the room may both say so).</summary>
    void MemberLeft(string room, string connectionId);

    /// <summary>One message a room ordered, for the other system's members (once per message in the cluster).</summary>
    void PublishChat(ChatPayload payload);

    /// <summary>Every room the shared store lists; empty when it cannot answer.</summary>
    Task<IReadOnlyList<string>> ListRoomsAsync();

    /// <summary>
    /// Join or leave for a connection no node of this cluster holds. Throws <see cref="ChatException"/> with the
    /// catalogue text (connection not found, RPC unavailable / timeout, or the other node's refusal).
    /// </summary>
    Task ChangeRemoteMemberAsync(string connectionId, string room, bool join);

    /// <summary>
    /// A connection command (<see cref="ConnectionProtocol"/>) for a connection no node of this cluster holds; false
    /// when the other system cannot take it. Throws <see cref="ChatException"/> when the call itself fails.
    /// </summary>
    Task<bool> ApplyRemoteAsync(string connectionId, object command);
}
