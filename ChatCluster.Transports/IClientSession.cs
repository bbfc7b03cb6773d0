namespace ChatCluster.Transports;

/// <summary>The node side of one connection, as seen by the transport's read loop. Calls never block.</summary>
public interface IClientSession
{
    string ConnectionId { get; }

    void Receive(ClientRequest request);

    /// <summary>TCP: a line (or unterminated input) was longer than the limit; it was dropped.</summary>
    void LineTooLong(long receivedBytes, long maxBytes);

    /// <summary>TCP break character (Ctrl-C / Ctrl-D): ActionHero destroys the connection.</summary>
    void Break();

    /// <summary>The socket is gone (client closed, error, heartbeat timeout). Always called exactly once.</summary>
    void TransportClosed();
}
