using System.Collections.Immutable;

namespace ChatCluster.Node.Middleware;

/// <summary>
/// The node's chat and connection middleware. Registration is rare, reading is on every message: writers
/// build a new immutable <see cref="MiddlewareChains"/> and publish it; readers take the current one.
/// Order: ascending priority, then registration order (stable); re-registering a name replaces it in place.
/// </summary>
public sealed class MiddlewareRegistry
{
    private readonly object _gate = new();
    private ImmutableList<(long Seq, ChatMiddleware Middleware)> _chat = ImmutableList<(long, ChatMiddleware)>.Empty;
    private ImmutableList<(long Seq, ConnectionMiddleware Middleware)> _connection = ImmutableList<(long, ConnectionMiddleware)>.Empty;
    private long _seq;
    private volatile MiddlewareChains _chains = MiddlewareChains.Empty;

    public MiddlewareChains Chains => _chains;

    public void Add(ChatMiddleware middleware)
    {
        if (string.IsNullOrEmpty(middleware.Name)) throw new ArgumentException("middleware.name is required", nameof(middleware));
        lock (_gate)
        {
            var index = _chat.FindIndex(e => e.Middleware.Name == middleware.Name);
            _chat = index >= 0 ? _chat.SetItem(index, (_chat[index].Seq, middleware)) : _chat.Add((++_seq, middleware));
            Publish();
        }
    }

    public void Add(ConnectionMiddleware middleware)
    {
        if (string.IsNullOrEmpty(middleware.Name)) throw new ArgumentException("middleware.name is required", nameof(middleware));
        lock (_gate)
        {
            var index = _connection.FindIndex(e => e.Middleware.Name == middleware.Name);
            _connection = index >= 0 ? _connection.SetItem(index, (_connection[index].Seq, middleware)) : _connection.Add((++_seq, middleware));
            Publish();
        }
    }

    public bool Remove(string name)
    {
        lock (_gate)
        {
            var before = _chat.Count + _connection.Count;
            _chat = _chat.RemoveAll(e => e.Middleware.Name == name);
            _connection = _connection.RemoveAll(e => e.Middleware.Name == name);
            Publish();
            return _chat.Count + _connection.Count != before;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _chat = _chat.Clear();
            _connection = _connection.Clear();
            Publish();
        }
    }

    private void Publish()
    {
        var chat = _chat.OrderBy(e => e.Middleware.Priority).ThenBy(e => e.Seq).Select(e => e.Middleware).ToImmutableArray();
        var connection = _connection.OrderBy(e => e.Middleware.Priority).ThenBy(e => e.Seq).Select(e => e.Middleware).ToImmutableArray();
        _chains = new MiddlewareChains(
            Names: chat.Select(m => m.Name).ToImmutableArray(),
            Join: Hooks(chat, m => m.Join),
            Leave: Hooks(chat, m => m.Leave),
            OnSayReceive: Hooks(chat, m => m.OnSayReceive),
            Say: Hooks(chat, m => m.Say),
            Create: Hooks(connection, m => m.Create),
            Destroy: Hooks(connection, m => m.Destroy));
    }

    private static ImmutableArray<Named<T>> Hooks<TMiddleware, T>(ImmutableArray<TMiddleware> all, Func<TMiddleware, T?> pick)
        where TMiddleware : class where T : class
    {
        var builder = ImmutableArray.CreateBuilder<Named<T>>();
        foreach (var m in all)
            if (pick(m) is { } hook) builder.Add(new Named<T>(NameOf(m), hook));
        return builder.ToImmutable();
    }

    private static string NameOf(object m) => m switch
    {
        ChatMiddleware c => c.Name,
        ConnectionMiddleware c => c.Name,
        _ => "?",
    };
}
