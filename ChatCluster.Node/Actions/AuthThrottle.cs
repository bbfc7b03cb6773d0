namespace ChatCluster.Node.Actions;

/// <summary>
/// Slows down token guessing. Attempts are keyed by connection and by IP address; after the n-th consecutive
/// failure of a key, its next attempt may start no sooner than <c>first-delay * 2^(n-1)</c> (at most
/// <c>max-delay</c>) after the previous one, so concurrent attempts queue one behind the other instead of running
/// together. An attempt that would wait longer than <c>max-wait</c> is refused at once (nothing is held for it).
/// A key's failures are forgotten after <c>forget-after</c> without a new failure; a success forgets the key it
/// is given (the connection's, never the address's). Thread-safe; the clock is passed in, so the rule is a table.
/// </summary>
public sealed class AuthThrottle
{
    private readonly AuthThrottleSettings _settings;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public AuthThrottle(AuthThrottleSettings settings) => _settings = settings;

    /// <summary>The keys of one attempt: the connection's (none for a one-shot HTTP request) and the address's.</summary>
    public static string[] KeysFor(string? connectionId, string address) =>
        connectionId is null ? ["a:" + address] : ["c:" + connectionId, "a:" + address];

    /// <summary>
    /// Runs one credential check under the throttle: waits its turn, checks, records the outcome. Returns the user,
    /// or null for a bad token; throws <see cref="ActionException"/> (429) when the attempt is refused.
    /// </summary>
    public async Task<string?> CheckAsync(string? connectionId, string address, Func<string?> check)
    {
        var keys = KeysFor(connectionId, address);
        var wait = Admit(keys, ActionServices.Now());
        if (wait is null) throw new ActionException(ChatCluster.Messages.ChatErrors.TooManyAuthenticationAttempts, 429);
        if (wait.Value > TimeSpan.Zero) await Task.Delay(wait.Value).ConfigureAwait(false);
        var user = check();
        if (user is null) Failed(keys, ActionServices.Now());
        else if (connectionId is not null) Succeeded(keys[0]);
        return user;
    }

    /// <summary>How long the next attempt waits after <paramref name="failures"/> consecutive failures.</summary>
    public TimeSpan DelayAfter(int failures)
    {
        if (failures <= 0 || _settings.FirstDelay == TimeSpan.Zero) return TimeSpan.Zero;
        var doublings = Math.Min(failures - 1, 30); // 2^30 times any sensible first-delay is past any max-delay
        var ticks = Math.Min((double)_settings.FirstDelay.Ticks * (1L << doublings), _settings.MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Tracked keys (for tests and metrics).</summary>
    public int Tracked
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>
    /// Admits one attempt by every key at once: returns how long it must wait before it runs, or null when it is
    /// refused (it would wait more than max-wait, or no more keys can be tracked).
    /// </summary>
    public TimeSpan? Admit(IReadOnlyList<string> keys, TimeSpan now)
    {
        lock (_lock)
        {
            var entries = new Entry[keys.Count];
            var slot = now;
            for (var i = 0; i < keys.Count; i++)
            {
                if (!_entries.TryGetValue(keys[i], out var entry))
                {
                    if (_entries.Count >= _settings.MaxTracked && Prune(now) == 0) return null;
                    entry = new Entry();
                    _entries[keys[i]] = entry;
                }
                if (now - entry.LastFailure > _settings.ForgetAfter) entry.Failures = 0;
                entries[i] = entry;
                if (entry.Failures > 0 && entry.NextSlot > slot) slot = entry.NextSlot;
            }
            var wait = slot - now;
            if (wait > _settings.MaxWait) return null;
            // The next attempt of a key that has failed queues behind this one.
            foreach (var entry in entries)
                if (entry.Failures > 0) entry.NextSlot = slot + DelayAfter(entry.Failures);
            return wait;
        }
    }

    public void Failed(IReadOnlyList<string> keys, TimeSpan now)
    {
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (!_entries.TryGetValue(key, out var entry)) continue; // pruned meanwhile: admitted again from zero
                entry.Failures++;
                entry.LastFailure = now;
                var next = now + DelayAfter(entry.Failures);
                if (next > entry.NextSlot) entry.NextSlot = next;
            }
        }
    }

    public void Succeeded(string key)
    {
        lock (_lock) _entries.Remove(key);
    }

    // Drops keys with nothing to remember: no failure within forget-after and no attempt queued.
    private int Prune(TimeSpan now)
    {
        var stale = new List<string>();
        foreach (var (key, entry) in _entries)
            if ((entry.Failures == 0 || now - entry.LastFailure > _settings.ForgetAfter) && entry.NextSlot <= now) stale.Add(key);
        foreach (var key in stale) _entries.Remove(key);
        return stale.Count;
    }

    private sealed class Entry
    {
        public int Failures;
        public TimeSpan LastFailure;
        public TimeSpan NextSlot;
    }
}
