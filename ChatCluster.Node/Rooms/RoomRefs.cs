using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Akka.Actor;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// Node-wide: the live actor of a room, as this node's fan-out last saw it (the sender of the room's deliveries), so
/// a connection's <c>say</c> goes straight to the room instead of through the shard region and the shard (two mailbox
/// hops less per say; docs/benchmarks.md, issue 16). Only the fan-out partition that owns a room learns and forgets it:
/// it death-watches the actor and forgets it when the actor stops (hand-over, passivation, its node gone), so an entry
/// is always a room actor that was alive a moment ago and the map holds at most the live rooms this node hears from.
/// A say sent to an actor that stopped meanwhile is lost like any message to a stopped actor; the say's retry (always
/// through the region, <c>ConnectionActor.RetryOrGiveUp</c>) reaches the room's next actor, which orders it once.
/// </summary>
public sealed class RoomRefs
{
    private readonly ConcurrentDictionary<string, IActorRef> _rooms = new(StringComparer.Ordinal);

    /// <summary>The room's actor, when this node knows a live one.</summary>
    public bool TryGet(string room, [NotNullWhen(true)] out IActorRef? actor) => _rooms.TryGetValue(room, out actor);

    /// <summary>The room's actor is <paramref name="actor"/> (replacing an older one).</summary>
    public void Learn(string room, IActorRef actor) => _rooms[room] = actor;

    /// <summary><paramref name="actor"/> stopped: forget it, unless the room has a newer actor already.</summary>
    public void Forget(string room, IActorRef actor) => _rooms.TryRemove(KeyValuePair.Create(room, actor));

    /// <summary>Rooms known (for tests and inspection).</summary>
    public int Count => _rooms.Count;
}
