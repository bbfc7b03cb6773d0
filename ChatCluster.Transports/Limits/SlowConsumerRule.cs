namespace ChatCluster.Transports.Limits;

public enum SlowConsumerVerdict : byte
{
    Keep,
    /// <summary>The next message would take the backlog past <c>outbound.max-bytes</c>.</summary>
    TooManyBytes,
    /// <summary>The oldest waiting message has waited longer than <c>outbound.max-age</c>.</summary>
    TooOld,
}

/// <summary>
/// Judges a reader by what it fails to read over time (bytes waiting and the age of the oldest), not by the length
/// of one burst: a reader that keeps up drains a burst in milliseconds whatever its size (up to the memory bound);
/// one that stopped reading is caught by the age even when little is sent to it.
/// </summary>
public static class SlowConsumerRule
{
    public static SlowConsumerVerdict Judge(long queuedBytes, long incomingBytes, TimeSpan oldestAge, long maxBytes, TimeSpan maxAge)
    {
        if (queuedBytes + incomingBytes > maxBytes) return SlowConsumerVerdict.TooManyBytes;
        if (oldestAge > maxAge) return SlowConsumerVerdict.TooOld;
        return SlowConsumerVerdict.Keep;
    }
}
