using Akka.Actor;
using ChatCluster.Node.Hosting;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>Turns each new socket into a <see cref="ConnectionActor"/> and hands the transport its inbox.</summary>
public sealed class ConnectionHost : IConnectionHost
{
    private readonly ActorSystem _system;
    private readonly NodeServices _node;
    private readonly VerbSettings _verbs; // one per node: a connection's state refers to it

    public ConnectionHost(ActorSystem system, NodeServices node)
    {
        _system = system;
        _node = node;
        _verbs = new VerbSettings(node.Settings.MaxPendingActions, node.Actions.Registry.IsInputName);
    }

    public IClientSession Open(IClientTransport transport, ClientInfo info)
    {
        var id = Guid.NewGuid().ToString();
        var actor = _system.ActorOf(ConnectionActor.Props(id, info, transport, _node, _verbs), "conn-" + id);
        return new ConnectionSession(id, actor, _node.Settings.Transport.Limits);
    }
}
