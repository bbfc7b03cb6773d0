using ChatCluster.Messages;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Mirror;

/// <summary>
/// No mirror (the embedded default): the cluster is the only truth. Every answer is complete at once, so the room's
/// replies stay synchronous on this path (no extra message per create or status).
/// </summary>
public sealed class NoChatMirror : IChatMirror
{
    public static readonly NoChatMirror Instance = new();

    private static readonly Task<bool?> Unknown = Task.FromResult<bool?>(null);
    private static readonly Task<IReadOnlyList<string>> NoRooms = Task.FromResult<IReadOnlyList<string>>(Array.Empty<string>());
    private static readonly Task<bool> NotTaken = Task.FromResult(false);

    private NoChatMirror() { }

    public bool SharesRooms => false;

    public bool Connected => false;

    public Task<bool?> RoomListedAsync(string room) => Unknown;

    public Task RoomCreatedAsync(string room) => Task.CompletedTask;

    public Task RoomDestroyedAsync(string room, IReadOnlyCollection<string> ourMembers) => Task.CompletedTask;

    public Task<IReadOnlyList<RoomMember>> MergeStatusAsync(string room, IReadOnlyList<RoomMember> ours) => Task.FromResult(ours);

    public Task PruneAsync(string room, IReadOnlyCollection<string> live) => Task.CompletedTask;

    public void MemberJoined(string room, string connectionId, long joinedAt) { }

    public void MemberLeft(string room, string connectionId) { }

    public void PublishChat(ChatPayload payload) { }

    public Task<IReadOnlyList<string>> ListRoomsAsync() => NoRooms;

    public Task ChangeRemoteMemberAsync(string connectionId, string room, bool join) =>
        Task.FromException(new ChatException(ChatErrors.ConnectionNotFound));

    public Task<bool> ApplyRemoteAsync(string connectionId, object command) => NotTaken;
}
