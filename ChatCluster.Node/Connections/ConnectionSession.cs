using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>The transport's handle on a connection actor: every call is a Tell, so the read loop never blocks.</summary>
public sealed class ConnectionSession : IClientSession
{
    private readonly IActorRef _actor;
    private int _closed;

    public ConnectionSession(string connectionId, IActorRef actor)
    {
        ConnectionId = connectionId;
        _actor = actor;
    }

    public string ConnectionId { get; }

    public void Receive(ClientRequest request) => _actor.Tell(new ConnectionInbox.Request(request));

    public void LineTooLong(long receivedBytes, long maxBytes) => _actor.Tell(new ConnectionInbox.LineTooLong(receivedBytes, maxBytes));

    public void Break() => _actor.Tell(ConnectionInbox.Break.Instance);

    /// <summary>Ask the connection to say goodbye and close (as a drain does).</summary>
    public void Close() => _actor.Tell(new ConnectionProtocol.CloseConnection(ConnectionId));

    public void TransportClosed()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0) _actor.Tell(ConnectionInbox.TransportClosed.Instance);
    }
}
