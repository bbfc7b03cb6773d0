using System.Numerics;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench.Load;

/// <summary>
/// Log-linear histogram of microseconds, the same buckets as ahload.js: exact below 256 µs, then 128
/// sub-buckets per power of two (under 0.8 % error). Mergeable by element-wise sum, so worker processes
/// send their counts and the parent adds them up. Not thread-safe: one instance per thread.
/// </summary>
public sealed class LatencyHistogram
{
    public const int Size = 256 + 24 * 128;

    public long[] Counts { get; }
    public long MaxMicros { get; private set; }

    public LatencyHistogram() => Counts = new long[Size];

    public LatencyHistogram(long[] counts, long maxMicros)
    {
        if (counts.Length != Size) throw new ArgumentException($"a histogram has {Size} buckets, not {counts.Length}", nameof(counts));
        Counts = counts;
        MaxMicros = maxMicros;
    }

    public static int Index(long micros)
    {
        if (micros <= 0) return 0;
        if (micros >= uint.MaxValue) micros = uint.MaxValue;
        if (micros < 256) return (int)micros;
        int e = 63 - BitOperations.LeadingZeroCount((ulong)micros);
        return 256 + ((e - 8) << 7) + (int)((micros >> (e - 7)) - 128);
    }

    /// <summary>The middle of bucket <paramref name="index"/> in microseconds.</summary>
    public static double Value(int index)
    {
        if (index < 256) return index;
        int e = ((index - 256) >> 7) + 8;
        int m = ((index - 256) & 127) + 128;
        double w = Math.Pow(2, e - 7);
        return m * w + w / 2;
    }

    public void Record(long micros)
    {
        Counts[Index(micros)]++;
        if (micros > MaxMicros) MaxMicros = micros;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < Size; i++) Counts[i] += other.Counts[i];
        if (other.MaxMicros > MaxMicros) MaxMicros = other.MaxMicros;
    }

    public long Count
    {
        get
        {
            long n = 0;
            foreach (var c in Counts) n += c;
            return n;
        }
    }

    /// <summary>
    /// The value in ms at quantile <paramref name="q"/> (0..1): the smallest bucket whose cumulative count
    /// reaches ceil(q·n), capped at the exact maximum; null when empty.
    /// </summary>
    public double? PercentileMs(double q)
    {
        long n = Count;
        if (n == 0) return null;
        long target = Math.Max(1, (long)Math.Ceiling(q * n));
        long c = 0;
        for (int i = 0; i < Size; i++)
        {
            c += Counts[i];
            if (c >= target) return Math.Round(Math.Min(Value(i), MaxMicros > 0 ? MaxMicros : double.MaxValue) / 1000.0, 3);
        }
        return null;
    }

    public double? MeanMs()
    {
        long n = 0;
        double sum = 0;
        for (int i = 0; i < Size; i++) { n += Counts[i]; sum += Counts[i] * Value(i); }
        return n == 0 ? null : Math.Round(sum / n / 1000.0, 3);
    }

    /// <summary>{count, mean, p50, p90, p99, p999, max} in ms, as ahload.js prints them.</summary>
    public JsonObject Summary() => new()
    {
        ["count"] = Count,
        ["mean"] = MeanMs(),
        ["p50"] = PercentileMs(0.5),
        ["p90"] = PercentileMs(0.9),
        ["p99"] = PercentileMs(0.99),
        ["p999"] = PercentileMs(0.999),
        ["max"] = MaxMicros > 0 ? Math.Round(MaxMicros / 1000.0, 3) : null,
    };
}
