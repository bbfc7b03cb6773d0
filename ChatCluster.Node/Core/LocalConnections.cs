using System.Collections.Concurrent;

namespace ChatCluster.Node.Core;

/// <summary>
/// The connections this node holds, by id (ActionHero's <c>api.connections.connections</c>). Written by
/// connection actors (register at start, remove at stop), read by the fan-out and by <c>sendMessage</c>.
/// </summary>
public sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, LocalConnection> _byId = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public void Add(LocalConnection connection) => _byId[connection.Id] = connection;

    public void Remove(string id) => _byId.TryRemove(id, out _);

    public bool IsOpen(string id) => _byId.ContainsKey(id);

    public bool TryGet(string id, out LocalConnection connection) => _byId.TryGetValue(id, out connection!);

    public ICollection<LocalConnection> All => _byId.Values;

    /// <summary>Every connection without taking a snapshot (for periodic sweeps over many connections).</summary>
    public IEnumerable<LocalConnection> Enumerate()
    {
        foreach (var entry in _byId) yield return entry.Value;
    }
}
