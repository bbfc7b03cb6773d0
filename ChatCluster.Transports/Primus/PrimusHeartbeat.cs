using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Primus;

/// <summary>
/// Primus' server-wide heartbeat: one timer for all websockets. At each tick a connection that has not
/// answered the previous ping (pong or websocket-level ping) is closed without <c>primus::server::close</c>
/// (so a real client reconnects); every other connection is marked not-alive and pinged.
/// </summary>
public sealed class PrimusHeartbeat : IDisposable
{
    private readonly ConcurrentDictionary<WebSocketClientTransport, byte> _connections = new();
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly Timer _timer;

    public PrimusHeartbeat(TimeSpan interval, ILogger logger)
    {
        _interval = interval;
        _logger = logger;
        _timer = new Timer(_ => Tick(), null, interval, interval);
    }

    public int Count => _connections.Count;

    public void Add(WebSocketClientTransport transport) => _connections.TryAdd(transport, 0);

    public void Remove(WebSocketClientTransport transport) => _connections.TryRemove(transport, out _);

    private void Tick()
    {
        // One ping frame's JSON for every connection this tick.
        var ping = PrimusCodec.Ping(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        foreach (var (connection, _) in _connections)
        {
            if (!connection.Alive)
            {
                TransportLog.HeartbeatTimeout(_logger, connection.ConnectionId, (long)_interval.TotalMilliseconds);
                _connections.TryRemove(connection, out _);
                connection.Abort("heartbeat timeout");
                continue;
            }
            connection.Alive = false;
            connection.Send(ping);
        }
    }

    public void Dispose() => _timer.Dispose();
}
