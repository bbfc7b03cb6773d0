namespace ChatCluster.Node.Rooms;

/// <summary>
/// Where a room actor is in its life; exactly one at a time (the shape of akka.net's <c>Shard.EntityState</c>).
/// <code>
///   Recovering --journal replayed--> Resolving --registry read--> Rejoining (nodes asked for members) | Active
///   Resolving --registry read, history kept in a store--> LoadingHistory --read, or timeout--> Rejoining | Active
///   Rejoining --every node answered, or timeout--> Active
///   Active | Listed --join/create/destroy/status/exists, rooms shared--> Consulting --answered--> Listed
///   Listed --the command that waited for the answer runs--> Active
///   Active --create/destroy persisted, mirror still writing--> WritingKeys --written--> Active
/// </code>
/// Everything that arrives outside <see cref="Active"/> and <see cref="Listed"/> waits in the stash (terminations
/// are handled at once).
/// </summary>
public enum RoomPhase
{
    /// <summary>Replaying the journal (Akka.Persistence stashes commands meanwhile).</summary>
    Recovering,

    /// <summary>Reading the replicated registry (majority) to settle existence against the journal.</summary>
    Resolving,

    /// <summary>Reading the room's stored history (epoch, last offset, messages) before it orders anything.</summary>
    LoadingHistory,

    /// <summary>Asked every node for its members of this room (the room moved or restarted); waiting for the answers.</summary>
    Rejoining,

    /// <summary>Serving commands.</summary>
    Active,

    /// <summary>Serving commands, and the shared store's answer is fresh: the next consulting command need not ask again.</summary>
    Listed,

    /// <summary>Asking the shared store (ActionHero's rooms SET) whether the room is listed.</summary>
    Consulting,

    /// <summary>Waiting for the mirror to record a create or destroy before replying.</summary>
    WritingKeys,
}
