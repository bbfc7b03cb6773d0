using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Limits;

/// <summary>
/// Kestrel's socket transport with an accept loop that survives the fd limit. Kestrel's own listener retries a
/// failed accept() at once, forever: at the open-file limit (EMFILE) it spun ~1,800 failures a second, and the
/// process died "Out of memory." (exit 134) — the runtime could not open /proc/sys/vm/overcommit_memory to reserve
/// memory. Here a resource failure hands the runtime a reserve of descriptors and lowers the accept ceiling
/// (<see cref="FdGuard"/>), waits (doubling from <c>accept-backoff-min</c> to <c>-max</c>), and is summed up in one
/// warning per <c>accept-log-interval</c>. The connections themselves are Kestrel's (<see cref="SocketConnectionContextFactory"/>).
/// </summary>
public sealed class BackoffSocketTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly LimitsSettings _limits;
    private readonly SocketConnectionFactoryOptions _options;
    private readonly ILoggerFactory _loggers;

    /// <param name="pools">The host's buffer pool factory (Kestrel registers one); the connections' pipes take their
    /// segments from it (<see cref="KestrelBlockPool"/>). Null: the options' default, the shared array pool.</param>
    public BackoffSocketTransportFactory(LimitsSettings limits, SocketConnectionFactoryOptions options, ILoggerFactory loggers,
        IMemoryPoolFactory<byte>? pools = null)
    {
        _limits = limits;
        _options = options;
        _loggers = loggers;
        Guard = new FdGuard(limits.FdReserve);
        if (!KestrelBlockPool.TryUse(options, pools)) LimitsLog.BlockPoolUnavailable(loggers.CreateLogger("ChatCluster.Accept"));
    }

    /// <summary>Shared by every listener of the node.</summary>
    public FdGuard Guard { get; }

    public void Dispose() => Guard.Dispose();

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        try
        {
            socket.Listen(ListenBacklog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var logger = _loggers.CreateLogger("ChatCluster.Accept");
        var listener = new BackoffSocketListener(socket, new SocketConnectionContextFactory(_options, logger), _limits, Guard, logger);
        return ValueTask.FromResult<IConnectionListener>(listener);
    }

    // Kestrel's default backlog (SocketTransportOptions.Backlog).
    private const int ListenBacklog = 512;
}

internal sealed class BackoffSocketListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly SocketConnectionContextFactory _connections;
    private readonly LimitsSettings _limits;
    private readonly FdGuard _guard;
    private readonly ILogger _logger;
    private readonly string _name;

    public BackoffSocketListener(Socket socket, SocketConnectionContextFactory connections, LimitsSettings limits, FdGuard guard, ILogger logger)
    {
        _socket = socket;
        _connections = connections;
        _limits = limits;
        _guard = guard;
        _logger = logger;
        EndPoint = socket.LocalEndPoint!;
        _name = EndPoint.ToString() ?? "?";
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        var backoff = AcceptBackoff.Start(_limits.AcceptBackoffMin, _limits.AcceptBackoffMax);
        long failures = 0, unlogged = 0, windowStart = Environment.TickCount64;
        var logged = false;
        while (true)
        {
            if (!_guard.MayAccept())
            {
                // Past the ceiling learned at the fd limit, or the reserve cannot be taken back yet: wait for
                // connections to close (new ones wait in the listen backlog).
                try
                {
                    await Task.Delay(_limits.AcceptBackoffMax, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                continue;
            }
            try
            {
                var accepted = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                accepted.NoDelay = true;
                if (logged) LimitsLog.AcceptRecovered(_logger, _name, failures);
                var connection = _connections.Create(accepted);
                _guard.SocketOpened();
                connection.ConnectionClosed.Register(static g => ((FdGuard)g!).SocketClosed(), _guard);
                return connection;
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // the client gave up while in the backlog: the next one is there at once
            }
            catch (SocketException e)
            {
                // EMFILE / ENFILE (TooManyOpenSockets), ENOBUFS / ENOMEM: retrying at once cannot succeed
                failures++;
                unlogged++;
                var open = _guard.Sockets;
                var ceiling = e.SocketErrorCode is SocketError.TooManyOpenSockets ? _guard.OnExhausted() : _guard.Ceiling;
                var now = Environment.TickCount64;
                var wait = backoff.Next();
                if (!logged || now - windowStart >= (long)_limits.AcceptLogInterval.TotalMilliseconds)
                {
                    LimitsLog.AcceptFailing(_logger, _name, unlogged, now - windowStart, e.SocketErrorCode.ToString(), (long)wait.TotalMilliseconds, open,
                        ceiling == int.MaxValue ? "none" : ceiling.ToString());
                    logged = true;
                    unlogged = 0;
                    windowStart = now;
                }
                try
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _connections.Dispose();
        return ValueTask.CompletedTask;
    }
}
