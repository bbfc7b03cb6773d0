using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The histories that room actors of this node handed over on their way out (<see cref="RoomHandOff"/>), kept by the
/// node's fan-out until the room's next actor announces its start (<see cref="RoomStarted"/>), which it does before it
/// orders anything. The old actor parks its history before it stops, so before the shard can have a new home: the
/// next actor's announcement always finds it here, and the answer goes back ahead of this node's rejoin answer, which
/// the next actor waits for. So the history is there before the first say, however the says were buffered.
/// A history nobody asks for (the room did not restart, or another copy served it) goes after <c>keepMs</c>.
/// </summary>
public sealed class ParkedHandOvers(long keepMs)
{
    private readonly Dictionary<string, (HistoryHandOver HandOver, long At)> _byRoom = new(StringComparer.Ordinal);
    private readonly Queue<(string Room, long At)> _byAge = new();

    public int Count => _byRoom.Count;

    /// <summary>Keeps <paramref name="handOver"/> for its room (a newer one replaces an older one).</summary>
    public void Park(HistoryHandOver handOver, long nowMs)
    {
        Expire(nowMs);
        _byRoom[handOver.Room] = (handOver, nowMs);
        _byAge.Enqueue((handOver.Room, nowMs));
    }

    /// <summary>The history parked for <paramref name="room"/>, once (it is forgotten here), or null.</summary>
    public HistoryHandOver? Take(string room, long nowMs)
    {
        Expire(nowMs);
        return _byRoom.Remove(room, out var parked) ? parked.HandOver : null;
    }

    private void Expire(long nowMs)
    {
        while (_byAge.TryPeek(out var oldest) && nowMs - oldest.At >= keepMs)
        {
            _byAge.Dequeue();
            // Only the entry this queue item stands for: a later park of the same room has its own item.
            if (_byRoom.TryGetValue(oldest.Room, out var parked) && parked.At == oldest.At) _byRoom.Remove(oldest.Room);
        }
    }
}
