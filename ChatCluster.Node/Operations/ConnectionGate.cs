using System.Diagnostics;
using ChatCluster.Node.Connections;
using ChatCluster.Transports;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Operations;

/// <summary>
/// Stands in front of the node's <see cref="ConnectionHost"/>: counts connections opened and closed (with their
/// duration), and once the drain has stopped admission, hands every new connection its goodbye at once (TCP
/// <c>Bye!</c>, websocket <c>primus::server::close</c>) instead of leaving it to wait on a node that is leaving.
/// </summary>
public sealed class ConnectionGate : IConnectionHost
{
    private readonly ConnectionHost _inner;
    private readonly ChatMetrics _metrics;
    private readonly ILogger _logger;
    private volatile bool _closed;

    public ConnectionGate(ConnectionHost inner, ChatMetrics metrics, ILogger logger)
    {
        _inner = inner;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>From now on every new connection is greeted and said goodbye to.</summary>
    public void Close() => _closed = true;

    public IClientSession Open(IClientTransport transport, ClientInfo info)
    {
        var session = (ConnectionSession)_inner.Open(transport, info);
        _metrics.ConnectionOpened(transport.Type);
        if (_closed)
        {
            OperationsLog.ConnectionRefusedDraining(_logger, transport.Type, info.RemoteIp);
            session.Close();
        }
        return new MeteredSession(session, transport.Type, _metrics);
    }

    // Adds the closing count and the duration; everything else goes straight to the connection's session.
    private sealed class MeteredSession(ConnectionSession inner, string transport, ChatMetrics metrics) : IClientSession
    {
        private readonly long _opened = Stopwatch.GetTimestamp();
        private int _closed;

        public string ConnectionId => inner.ConnectionId;

        public void Receive(ClientRequest request) => inner.Receive(request);

        public void LineTooLong(long receivedBytes, long maxBytes) => inner.LineTooLong(receivedBytes, maxBytes);

        public void Break() => inner.Break();

        public void TransportClosed()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) metrics.ConnectionClosed(transport, Stopwatch.GetElapsedTime(_opened));
            inner.TransportClosed();
        }
    }
}
