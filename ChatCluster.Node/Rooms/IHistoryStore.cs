using ChatCluster.Messages;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// Where room history is kept beyond the room's actor, so a room that starts again (its node crashed, the whole
/// cluster restarted, or it passivated) continues its epoch and offsets. <see cref="NoHistoryStore"/> (the default)
/// keeps nothing outside the actor: history is the in-memory ring only.
/// </summary>
public interface IHistoryStore
{
    /// <summary>True when a room's <see cref="IRoomHistoryLog.LoadAsync"/> can return what an earlier actor of the room appended.</summary>
    bool Durable { get; }

    /// <summary>The log of one room, for its actor (the room's only writer while it lives); <paramref name="rule"/> bounds what is kept.</summary>
    IRoomHistoryLog Open(string room, HistoryRule rule);
}

/// <summary>One room's stored history, used by its actor alone (single writer, no locks).</summary>
public interface IRoomHistoryLog
{
    /// <summary>
    /// Keeps the message the room just ordered. Never waits (the say path): the write leaves in order behind the earlier
    /// ones and a failure is only logged. <paramref name="ticket"/>: the say it came from, kept with it so the room's
    /// next actor answers a retry of that say instead of ordering it again.
    /// </summary>
    void Append(long epoch, long offset, ChatPayload payload, long at, RoomProtocol.SayTicket? ticket = null);

    /// <summary>The room starts a new epoch: what was stored for an older one is dropped (in order, before the next append).</summary>
    void Restart();

    /// <summary>What is stored, oldest first (empty when nothing is); throws when the store cannot answer.</summary>
    Task<IReadOnlyList<StoredHistoryEntry>> LoadAsync(CancellationToken cancel);
}

/// <summary>
/// One stored message: its epoch travels with it, so entries of two epochs are never taken for one run; its ticket (the
/// say it came from, when there was one) too.
/// </summary>
public sealed record StoredHistoryEntry(long Epoch, long Offset, ChatPayload Payload, long At, RoomProtocol.SayTicket? Ticket = null);

/// <summary>No store: a room's history lives only in its actor (a crash of its node starts a new epoch).</summary>
public sealed class NoHistoryStore : IHistoryStore, IRoomHistoryLog
{
    public static readonly NoHistoryStore Instance = new();

    private NoHistoryStore() { }

    public bool Durable => false;

    public IRoomHistoryLog Open(string room, HistoryRule rule) => this;

    public void Append(long epoch, long offset, ChatPayload payload, long at, RoomProtocol.SayTicket? ticket = null) { }

    public void Restart() { }

    public Task<IReadOnlyList<StoredHistoryEntry>> LoadAsync(CancellationToken cancel) =>
        Task.FromResult<IReadOnlyList<StoredHistoryEntry>>(Array.Empty<StoredHistoryEntry>());
}
