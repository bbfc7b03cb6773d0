using Akka.Actor;
using ChatCluster.Node.Middleware;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>
/// A connection held by this node: its id, its socket's outbound side, its actor, and the latest snapshot
/// of its state (published by the actor, read by middleware on any thread).
/// </summary>
public sealed class LocalConnection
{
    private volatile ConnectionView _view;

    public LocalConnection(string id, IClientTransport transport, IActorRef actor, ConnectionView view)
    {
        Id = id;
        Transport = transport;
        Actor = actor;
        _view = view;
    }

    public string Id { get; }

    public IClientTransport Transport { get; }

    public IActorRef Actor { get; }

    public ConnectionView View
    {
        get => _view;
        set => _view = value;
    }
}
