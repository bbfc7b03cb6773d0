using ChatCluster.Messages;

namespace ChatCluster.Node.Actions;

/// <summary>
/// Counts room creations by callers without the admin role against <c>chatcluster.auth.create</c>: per connection
/// (while it is open) and per IP address per minute (a window that opens with the address's first creation and lasts
/// a minute). A creation takes its place before the room is asked, so concurrent requests cannot overshoot; one that
/// did not create a room (it existed, or the room did not answer) gives its place back. Thread-safe; the clock is
/// passed in, so the rule is a table.
/// </summary>
public sealed class RoomCreationQuota
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1); // the "per minute" of per-address-per-minute
    private const int MinPruneThreshold = 1024;

    private readonly RoomCreationCaps _caps;
    private readonly Dictionary<string, int> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressWindow> _byAddress = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private int _prunePerConnectionAt = MinPruneThreshold;
    private int _prunePerAddressAt = MinPruneThreshold;

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
            if (!_byAddress.TryGetValue(address, out var window) || now - window.Start >= Window)
            {
                if (_byAddress.Count >= _prunePerAddressAt) PruneAddresses(now);
                window = new AddressWindow(now, 0);
            }
            if (window.Count >= _caps.PerAddressPerMinute) return ChatErrors.RoomsPerMinuteExceeded(_caps.PerAddressPerMinute);
            if (connectionId is not null)
            {
                var fromConnection = _byConnection.GetValueOrDefault(connectionId);
                if (fromConnection >= _caps.PerConnection) return ChatErrors.RoomsPerConnectionExceeded(_caps.PerConnection);
                if (fromConnection == 0 && _byConnection.Count >= _prunePerConnectionAt) PruneConnections(isOpen);
                _byConnection[connectionId] = fromConnection + 1;
            }
            _byAddress[address] = window with { Count = window.Count + 1 };
            return null;
        }
    }

    /// <summary>Returns a creation that did not happen.</summary>
    public void GiveBack(string? connectionId, string address)
    {
        lock (_lock)
        {
            if (connectionId is not null && _byConnection.TryGetValue(connectionId, out var c))
            {
                if (c <= 1) _byConnection.Remove(connectionId);
                else _byConnection[connectionId] = c - 1;
            }
            if (_byAddress.TryGetValue(address, out var window) && window.Count > 0)
                _byAddress[address] = window with { Count = window.Count - 1 };
        }
    }

    /// <summary>Connections and addresses being counted (for tests).</summary>
    public (int Connections, int Addresses) Tracked
    {
        get { lock (_lock) return (_byConnection.Count, _byAddress.Count); }
    }

    // Both prunes are amortized: the threshold doubles with what stays, so pruning costs O(1) per creation.
    private void PruneConnections(Func<string, bool> isOpen)
    {
        foreach (var id in _byConnection.Keys.Where(id => !isOpen(id)).ToList()) _byConnection.Remove(id);
        _prunePerConnectionAt = Math.Max(MinPruneThreshold, 2 * _byConnection.Count);
    }

    private void PruneAddresses(TimeSpan now)
    {
        foreach (var (address, _) in _byAddress.Where(e => now - e.Value.Start >= Window).ToList()) _byAddress.Remove(address);
        _prunePerAddressAt = Math.Max(MinPruneThreshold, 2 * _byAddress.Count);
    }

    private readonly record struct AddressWindow(TimeSpan Start, int Count);
}
