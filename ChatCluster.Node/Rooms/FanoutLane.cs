using System.Collections.Concurrent;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Rooms;

/// <summary>One burst of a room's message for the members of one lane: the bytes are shared, never copied.</summary>
public readonly record struct LaneWork(LocalConnection[] Members, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// A serial executor on the thread pool that writes fan-out bursts into sockets. Each connection belongs to one lane
/// (see <see cref="FanoutLanes"/>), and a lane runs its work in order, so every connection sees a room's messages in
/// the room's order while one big room still fans out on every core. A lane writes everything queued (up to
/// <see cref="MaxBurst"/> items) and then flushes each touched socket once: under load one socket write carries
/// several messages; when idle a message is flushed as soon as it is written.
/// </summary>
public sealed class FanoutLane : IThreadPoolWorkItem
{
    /// <summary>Work items written before a flush; bounds the latency the batching adds.</summary>
    public const int MaxBurst = 32;

    private readonly ConcurrentQueue<LaneWork> _queue = new();
    private readonly LocalConnection[]?[] _touched = new LocalConnection[MaxBurst][];
    private int _scheduled;

    public void Post(in LaneWork work)
    {
        _queue.Enqueue(work);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Execute()
    {
        var touched = 0;
        while (touched < MaxBurst && _queue.TryDequeue(out var work))
        {
            var members = work.Members;
            for (var i = 0; i < members.Length; i++) members[i].Transport.Write(work.Bytes);
            if (touched == 0 || !ReferenceEquals(_touched[touched - 1], members)) _touched[touched++] = members;
        }
        for (var t = 0; t < touched; t++)
        {
            var members = _touched[t]!;
            for (var i = 0; i < members.Length; i++) members[i].Transport.Flush(); // no-op for one already flushed
            _touched[t] = null;
        }
        // Yield the thread between bursts (other lanes, sockets and actors share it); come back if work arrived.
        Volatile.Write(ref _scheduled, 0);
        if (!_queue.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }
}
