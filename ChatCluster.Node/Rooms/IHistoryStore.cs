using ChatCluster.Messages;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// Where a room's history is kept beyond its actor, so a room that starts again (its node crashed, the whole cluster
/// restarted, or it passivated) continues its epoch and offsets. The room actor is its only writer while it lives.
/// <see cref="NoHistoryStore"/> (the default) keeps nothing outside the actor: history is the in-memory ring only.
/// </summary>
public interface IHistoryStore
{
    /// <summary>True when <see cref="LoadAsync"/> can return what an earlier actor of the room appended.</summary>
    bool Durable { get; }

    /// <summary>
    /// Keeps the message the room just ordered. Never waits (the say path): the write leaves in order behind the earlier
    /// ones and a failure is only logged. <paramref name="rule"/> bounds what is kept (size, and age as a key expiry).
    /// </summary>
    void Append(string room, long epoch, long offset, ChatPayload payload, long at, HistoryRule rule);

    /// <summary>The room starts a new epoch: what was stored for an older one is dropped (in order, before the next append).</summary>
    void Restart(string room);

    /// <summary>What is stored for the room, oldest first (empty when nothing is); throws when the store cannot answer.</summary>
    Task<IReadOnlyList<StoredHistoryEntry>> LoadAsync(string room, CancellationToken cancel);
}

/// <summary>One stored message: its epoch travels with it, so entries of two epochs are never taken for one run.</summary>
public sealed record StoredHistoryEntry(long Epoch, long Offset, ChatPayload Payload, long At);

/// <summary>No store: a room's history lives only in its actor (a crash of its node starts a new epoch).</summary>
public sealed class NoHistoryStore : IHistoryStore
{
    public static readonly NoHistoryStore Instance = new();

    private NoHistoryStore() { }

    public bool Durable => false;

    public void Append(string room, long epoch, long offset, ChatPayload payload, long at, HistoryRule rule) { }

    public void Restart(string room) { }

    public Task<IReadOnlyList<StoredHistoryEntry>> LoadAsync(string room, CancellationToken cancel) =>
        Task.FromResult<IReadOnlyList<StoredHistoryEntry>>(Array.Empty<StoredHistoryEntry>());
}
