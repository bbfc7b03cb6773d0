using ChatCluster.Node.Core;

namespace ChatCluster.Node.Middleware;

/// <summary>A connection lifecycle hook. Exceptions are logged and never stop the connection's life cycle.</summary>
public delegate ValueTask ConnectionHook(ConnectionView connection);

/// <summary>
/// ActionHero's <c>api.connections.addMiddleware</c>: <see cref="Create"/> runs before the welcome is sent,
/// <see cref="Destroy"/> first thing when the connection closes. Ordered by priority like chat middleware.
/// </summary>
public sealed record ConnectionMiddleware(string Name)
{
    public int Priority { get; init; } = ChatMiddleware.DefaultPriority;

    public ConnectionHook? Create { get; init; }

    public ConnectionHook? Destroy { get; init; }
}
