namespace ChatCluster.Node.Middleware;

/// <summary>A hook with the name of the middleware it came from (for logs).</summary>
public readonly record struct Named<T>(string Name, T Hook);
