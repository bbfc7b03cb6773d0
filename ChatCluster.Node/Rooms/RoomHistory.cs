using ChatCluster.Messages;

namespace ChatCluster.Node.Rooms;

/// <summary>
/// The last messages of one room in its current epoch, bounded by count (<see cref="Size"/>) and by age
/// (<see cref="Ttl"/>; zero = no age bound): a ring the room actor appends to as it orders each message. Offsets are
/// the room's sequence numbers, so they are consecutive; the ring keeps a contiguous run <c>[Oldest, Newest]</c>.
/// Plain code, no actor: the room owns one and is its only user (single writer, no locks).
/// </summary>
public sealed class RoomHistory
{
    private readonly RoomProtocol.HistoryEntry[] _ring;
    private readonly long _ttlMs;
    private int _head; // index of the oldest entry
    private int _count;

    public RoomHistory(int size, TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.Zero);
        _ring = new RoomProtocol.HistoryEntry[size];
        _ttlMs = (long)ttl.TotalMilliseconds;
        Ttl = ttl;
    }

    public int Size => _ring.Length;

    public TimeSpan Ttl { get; }

    public int Count => _count;

    /// <summary>Offset of the newest entry appended (0 before the first).</summary>
    public long Newest { get; private set; }

    /// <summary>
    /// Keep the message at <paramref name="offset"/>, said at <paramref name="at"/> (ms since the epoch). Offsets must
    /// follow each other by one: a gap would make "recovered" a lie, so it throws instead. <paramref name="ticket"/>: the
    /// say it came from (handed over with the history, so the room's next actor knows it).
    /// </summary>
    public void Append(long offset, ChatPayload payload, long at, RoomProtocol.SayTicket? ticket = null)
    {
        if (_count > 0 && offset != Newest + 1)
            throw new ArgumentException($"offset {offset} does not follow {Newest}: history offsets are gap-free", nameof(offset));
        if (_count == _ring.Length)
        {
            _head = (_head + 1) % _ring.Length;
            _count--;
        }
        _ring[(_head + _count) % _ring.Length] = new RoomProtocol.HistoryEntry(offset, payload, at, ticket);
        _count++;
        Newest = offset;
    }

    /// <summary>The last <paramref name="limit"/> entries still young enough at <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<RoomProtocol.HistoryEntry> Last(int limit, long now)
    {
        Expire(now);
        var n = Math.Min(Math.Max(limit, 0), _count);
        var result = new RoomProtocol.HistoryEntry[n];
        for (var i = 0; i < n; i++) result[i] = _ring[(_head + _count - n + i) % _ring.Length];
        return result;
    }

    /// <summary>
    /// Everything after <paramref name="offset"/> (the last one the client saw), oldest first, and whether that is all
    /// of it: false when the ring no longer holds <c>offset + 1</c> (evicted by size or age). <paramref name="top"/> is the
    /// room's last offset; the caller has checked <c>0 &lt;= offset &lt;= top</c>.
    /// </summary>
    public (bool Recovered, IReadOnlyList<RoomProtocol.HistoryEntry> Missed) Since(long offset, long top, long now)
    {
        Expire(now);
        if (offset >= top) return (true, Array.Empty<RoomProtocol.HistoryEntry>());
        if (_count == 0) return (false, Array.Empty<RoomProtocol.HistoryEntry>());
        var oldest = _ring[_head].Offset;
        var from = Math.Max(offset + 1, oldest);
        var n = (int)Math.Max(0, Newest - from + 1);
        var result = new RoomProtocol.HistoryEntry[n];
        var skip = (int)(from - oldest);
        for (var i = 0; i < n; i++) result[i] = _ring[(_head + skip + i) % _ring.Length];
        return (from == offset + 1 && Newest == top, result);
    }

    // Age is checked when read, not by a timer: a quiet room holds at most Size entries anyway.
    private void Expire(long now)
    {
        if (_ttlMs == 0) return;
        while (_count > 0 && now - _ring[_head].At > _ttlMs)
        {
            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
        }
    }
}
