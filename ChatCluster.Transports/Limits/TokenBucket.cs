namespace ChatCluster.Transports.Limits;

/// <summary>
/// A token bucket as a value: it holds up to <c>burst</c> tokens and refills at <c>rate</c> tokens per second.
/// Time is passed in (milliseconds of a monotonic clock), so the rule is a plain function of its inputs.
/// A bucket starts full. Not thread-safe: each belongs to one connection's read loop.
/// </summary>
public struct TokenBucket
{
    private double _tokens;
    private long _lastMs;
    private bool _started;

    /// <summary>Tokens left after the last refill (may be negative after <see cref="Charge"/>).</summary>
    public readonly double Tokens => _tokens;

    /// <summary>Take <paramref name="cost"/> tokens if there are enough; otherwise take none and return false.</summary>
    public bool TryTake(double cost, long nowMs, double rate, double burst)
    {
        Refill(nowMs, rate, burst);
        if (_tokens < cost) return false;
        _tokens -= cost;
        return true;
    }

    /// <summary>
    /// Take <paramref name="cost"/> tokens even if that leaves the bucket in debt, and return how long to wait until
    /// the debt is paid (zero when there was enough). For pacing: the work is done, the next one waits.
    /// </summary>
    public TimeSpan Charge(double cost, long nowMs, double rate, double burst)
    {
        Refill(nowMs, rate, burst);
        _tokens -= cost;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / rate);
    }

    private void Refill(long nowMs, double rate, double burst)
    {
        if (!_started)
        {
            _started = true;
            _tokens = burst;
            _lastMs = nowMs;
            return;
        }
        var elapsed = nowMs - _lastMs;
        if (elapsed <= 0) return;
        _lastMs = nowMs;
        _tokens = Math.Min(burst, _tokens + elapsed * rate / 1000.0);
    }
}
