namespace ChatCluster.Transports.Limits;

public enum RateVerdict : byte
{
    Allow,
    /// <summary>Refuse this request with the rate-limit error; the connection stays.</summary>
    Refuse,
    /// <summary>Refuse it and close the connection: <c>max-violations</c> refusals within <c>violation-window</c>.</summary>
    Disconnect,
}

/// <summary>
/// One connection's <c>say</c> rate limit: a token bucket per <c>say-rates</c> rule (the first rule whose pattern
/// matches the room applies), and a count of refusals within the violation window. Buckets are made on the first
/// say, so a connection that never says holds none; their number is bounded by the rules, not by room names.
/// Used from the connection's read loop only (not thread-safe).
/// </summary>
public sealed class SayRateLimiter
{
    private readonly LimitsSettings _limits;
    private TokenBucket[]? _buckets;
    private int _violations;
    private long _windowStartMs;

    public SayRateLimiter(LimitsSettings limits) => _limits = limits;

    public RateVerdict Say(string room, long nowMs)
    {
        var rules = _limits.SayRates;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (!rule.Matches(room)) continue;
            if (rule.PerSecond <= 0) return RateVerdict.Allow;
            _buckets ??= new TokenBucket[rules.Count];
            return _buckets[i].TryTake(1, nowMs, rule.PerSecond, rule.Burst) ? RateVerdict.Allow : Violation(nowMs);
        }
        return RateVerdict.Allow;
    }

    private RateVerdict Violation(long nowMs)
    {
        if (nowMs - _windowStartMs > (long)_limits.ViolationWindow.TotalMilliseconds)
        {
            _windowStartMs = nowMs;
            _violations = 0;
        }
        _violations++;
        return _limits.MaxViolations > 0 && _violations >= _limits.MaxViolations ? RateVerdict.Disconnect : RateVerdict.Refuse;
    }
}
