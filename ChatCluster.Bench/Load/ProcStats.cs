using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench.Load;

/// <summary>Linux /proc readers: a process's CPU ticks and RSS, the machine's CPU split, the load average.</summary>
public static class ProcStats
{
    /// <summary>sysconf(_SC_CLK_TCK) on Linux.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>A microsecond clock common to every process on the machine (CLOCK_MONOTONIC), so a send time
    /// written by one worker process can be compared with a receive time in another.</summary>
    public static long NowMicros() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>utime + stime of <paramref name="pid"/> in clock ticks, or null.</summary>
    public static long? CpuTicks(int pid)
    {
        try
        {
            var s = File.ReadAllText($"/proc/{pid}/stat");
            var f = s[(s.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>A "Key:   123 kB" value of /proc/&lt;pid&gt;/status in kB, or null.</summary>
    public static long? StatusKb(int pid, string key)
    {
        if (pid <= 0) return null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(key, StringComparison.Ordinal) && line.Length > key.Length && line[key.Length] == ':')
                    return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    public static long? RssKb(int pid) => StatusKb(pid, "VmRSS");

    /// <summary>Sum over several processes (a multi-node run); null when none can be read.</summary>
    public static long? StatusKb(int[] pids, string key)
    {
        long? sum = null;
        foreach (var p in pids) if (StatusKb(p, key) is long v) sum = (sum ?? 0) + v;
        return sum;
    }

    public static long? RssKb(int[] pids) => StatusKb(pids, "VmRSS");

    public static double? LoadAverage1()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture); }
        catch (IOException) { return null; }
    }

    /// <summary>CPU % of one core used by a set of processes between construction and <see cref="Percent"/>.</summary>
    public sealed class CpuSampler
    {
        private readonly int[] _pids;
        private readonly long?[] _t0;
        private readonly long _w0 = NowMicros();

        public CpuSampler(params int[] pids)
        {
            _pids = pids;
            _t0 = new long?[pids.Length];
            for (int i = 0; i < pids.Length; i++) _t0[i] = CpuTicks(pids[i]);
        }

        public double? Percent()
        {
            double sec = (NowMicros() - _w0) / 1e6;
            long ticks = 0;
            bool any = false;
            for (int i = 0; i < _pids.Length; i++)
            {
                var t1 = CpuTicks(_pids[i]);
                if (_t0[i] is null || t1 is null) continue;
                ticks += t1.Value - _t0[i]!.Value;
                any = true;
            }
            if (!any || sec <= 0) return null;
            return Math.Round(ticks / ClockTicksPerSecond / sec * 100, 1);
        }
    }

    /// <summary>Machine-wide busy/user/system/irq/idle/steal from /proc/stat in % of one core.</summary>
    public sealed class MachineSampler
    {
        private readonly long[]? _a = Read();
        private readonly long _w0 = NowMicros();

        private static long[]? Read()
        {
            try
            {
                var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var v = new long[f.Length - 1];
                for (int i = 1; i < f.Length; i++) v[i - 1] = long.Parse(f[i], CultureInfo.InvariantCulture);
                return v;
            }
            catch (IOException) { return null; }
        }

        public JsonObject? Sample()
        {
            var b = Read();
            if (_a is null || b is null) return null;
            double sec = (NowMicros() - _w0) / 1e6;
            double P(long t) => Math.Round(t / ClockTicksPerSecond / sec * 100, 1);
            long D(int i) => i < b.Length ? b[i] - _a[i] : 0;
            long total = 0;
            for (int i = 0; i < b.Length; i++) total += D(i);
            long user = D(0) + D(1), system = D(2), idle = D(3) + D(4), irq = D(5) + D(6), steal = D(7);
            return new JsonObject
            {
                ["busyPct"] = P(total - idle - steal), ["userPct"] = P(user), ["systemPct"] = P(system),
                ["irqPct"] = P(irq), ["idlePct"] = P(idle), ["stealPct"] = P(steal),
            };
        }

        /// <summary>CPU used by everything that is not one of the known processes (other tenants of the box).</summary>
        public static double? Others(JsonObject? machine, params double?[] known)
        {
            if (machine is null || known.Length == 0 || known[0] is null) return null;
            double used = (double)machine["userPct"]! + (double)machine["systemPct"]! + (double)machine["irqPct"]!;
            foreach (var k in known) used -= k ?? 0;
            return Math.Round(used, 1);
        }
    }
}
