using ChatCluster.Messages;

namespace ChatCluster.Node.Actions;

/// <summary>
/// Counts room creations by callers without the admin role against <c>chatcluster.auth.create</c>: per connection
/// (while it is open) and per IP address per fixed one-minute window. A creation takes its place before the room
/// is asked, so concurrent requests cannot overshoot; one that did not create a room (it existed) gives it back.
/// Thread-safe; the clock is passed in.
/// </summary>
public sealed class RoomCreationQuota
{
    private const int MinPruneThreshold = 1024;

    private readonly RoomCreationCaps _caps;
    private readonly Dictionary<string, int> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private long _minute = long.MinValue;
    private int _pruneAt = MinPruneThreshold;

    public RoomCreationQuota(RoomCreationCaps caps) => _caps = caps;

    /// <summary>
    /// Takes one creation for the connection (null: a one-shot HTTP request, counted by address only) and the
    /// address. Returns null when allowed, else the refusal text. <paramref name="isOpen"/> tells which
    /// connections still exist, so that closed ones are forgotten.
    /// </summary>
    public string? TryTake(string? connectionId, string address, TimeSpan now, Func<string, bool> isOpen)
    {
        lock (_lock)
        {
            var minute = (long)now.TotalMinutes;
            if (minute != _minute)
            {
                _byAddress.Clear(); // fixed windows: a new minute starts every address from zero
                _minute = minute;
            }
            var fromAddress = _byAddress.GetValueOrDefault(address);
            if (fromAddress >= _caps.PerAddressPerMinute) return ChatErrors.RoomsPerMinuteExceeded(_caps.PerAddressPerMinute);
            if (connectionId is not null)
            {
                var fromConnection = _byConnection.GetValueOrDefault(connectionId);
                if (fromConnection >= _caps.PerConnection) return ChatErrors.RoomsPerConnectionExceeded(_caps.PerConnection);
                if (fromConnection == 0 && _byConnection.Count >= _pruneAt) Prune(isOpen);
                _byConnection[connectionId] = fromConnection + 1;
            }
            _byAddress[address] = fromAddress + 1;
            return null;
        }
    }

    /// <summary>Returns a creation that did not happen (the room existed, or the room did not answer).</summary>
    public void GiveBack(string? connectionId, string address, TimeSpan now)
    {
        lock (_lock)
        {
            if (connectionId is not null && _byConnection.TryGetValue(connectionId, out var c))
            {
                if (c <= 1) _byConnection.Remove(connectionId);
                else _byConnection[connectionId] = c - 1;
            }
            if ((long)now.TotalMinutes == _minute && _byAddress.TryGetValue(address, out var a) && a > 0) _byAddress[address] = a - 1;
        }
    }

    /// <summary>Connections being counted (for tests).</summary>
    public int TrackedConnections
    {
        get { lock (_lock) return _byConnection.Count; }
    }

    // Amortized: the threshold doubles with what stays, so pruning costs O(1) per creation.
    private void Prune(Func<string, bool> isOpen)
    {
        foreach (var id in _byConnection.Keys.Where(id => !isOpen(id)).ToList()) _byConnection.Remove(id);
        _pruneAt = Math.Max(MinPruneThreshold, 2 * _byConnection.Count);
    }
}
