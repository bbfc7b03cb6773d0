namespace ChatCluster.Bench.Load;

/// <summary>
/// Counters of the receive path, one instance per thread (no shared writes per delivery); the worker adds
/// them up when asked. Reads from another thread may be a few deliveries stale, which progress lines and
/// the drain loop tolerate; the final report is taken after the drain, when the counts are still.
/// </summary>
public sealed class WorkerStats
{
    [ThreadStatic] private static WorkerStats? t_current;
    private static readonly List<WorkerStats> s_all = [];

    public long Received, ReceivedInWindow, Acked, AckErrors, SayErrors, Pings, OtherFrames, WsMessages, Records, LastDeliveryUs;
    public readonly LatencyHistogram Latency = new();

    public static WorkerStats Current => t_current ?? Register();

    private static WorkerStats Register()
    {
        var s = new WorkerStats();
        lock (s_all) s_all.Add(s);
        t_current = s;
        return s;
    }

    public static WorkerStats[] All()
    {
        lock (s_all) return s_all.ToArray();
    }

    public static (long received, long lastDeliveryUs) ReceivedSoFar()
    {
        long r = 0, last = 0;
        foreach (var s in All())
        {
            r += Volatile.Read(ref s.Received);
            long l = Volatile.Read(ref s.LastDeliveryUs);
            if (l > last) last = l;
        }
        return (r, last);
    }
}
