using ChatCluster.Node.Actions;
using ChatCluster.Node.Middleware;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// What a host gives <see cref="ChatClusterHosting.AddChatCluster(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{ChatClusterOptions})"/>:
/// the node's configuration (HOCON files, override lines, <c>--key=value</c> arguments, environment) and the host's own
/// middleware and actions, registered before the node serves its first client.
/// </summary>
public sealed class ChatClusterOptions
{
    private readonly List<Action<MiddlewareRegistry>> _middleware = new();
    private readonly List<Action<ActionRegistry>> _actions = new();

    /// <summary>Configuration and logging of the node (the same record the command line builds).</summary>
    public NodeOptions Node { get; set; } = new();

    /// <summary>Registers chat or connection middleware (next to the ones named in <c>chatcluster.middleware</c>).</summary>
    public ChatClusterOptions AddMiddleware(Action<MiddlewareRegistry> register)
    {
        _middleware.Add(register);
        return this;
    }

    /// <summary>Registers actions (next to the built-in ones), served over TCP, websocket and <c>/api/</c>.</summary>
    public ChatClusterOptions AddActions(Action<ActionRegistry> register)
    {
        _actions.Add(register);
        return this;
    }

    internal void RegisterMiddleware(MiddlewareRegistry registry)
    {
        foreach (var register in _middleware) register(registry);
    }

    internal void RegisterActions(ActionRegistry registry)
    {
        foreach (var register in _actions) register(registry);
    }
}
