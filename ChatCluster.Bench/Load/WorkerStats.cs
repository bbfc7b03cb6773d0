namespace ChatCluster.Bench.Load;

/// <summary>
/// Counters of the receive path, one instance per thread (no shared writes per delivery); the worker adds
/// them up when asked. Reads from another thread may be a few deliveries stale, which progress lines and
/// the drain loop tolerate; the final report is taken after the drain, when the counts are still.
/// A new run (<see cref="StartNewRun"/>) starts from zero: a process that runs the tool twice (the tests) does not
/// add the first run's counts to the second.
/// </summary>
public sealed class WorkerStats
{
    [ThreadStatic] private static WorkerStats? t_current;
    private static readonly List<WorkerStats> s_all = [];
    private static int s_run;
    private readonly int _run;

    private WorkerStats(int run) => _run = run;

    public long Received, ReceivedInWindow, Acked, AckErrors, SayErrors, Pings, OtherFrames, WsMessages, Records, LastDeliveryUs;
    public readonly LatencyHistogram Latency = new();

    public static WorkerStats Current
    {
        get
        {
            var s = t_current;
            return s is not null && s._run == Volatile.Read(ref s_run) ? s : Register();
        }
    }

    private static WorkerStats Register()
    {
        WorkerStats s;
        lock (s_all)
        {
            s = new WorkerStats(s_run);
            s_all.Add(s);
        }
        t_current = s;
        return s;
    }

    /// <summary>Forget the counts of earlier runs in this process (before any client of the new run exists).</summary>
    public static void StartNewRun()
    {
        lock (s_all)
        {
            s_all.Clear();
            Volatile.Write(ref s_run, s_run + 1);
        }
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
