using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace ChatCluster.Transports.Primus;

/// <summary>
/// The websocket fast path on the web port, as Kestrel connection middleware: when a connection opens with a
/// clean websocket upgrade to the Primus path, we answer the handshake ourselves and run the websocket on the
/// socket's own pipes. No HTTP request objects stay alive for the connection's lifetime and every frame goes
/// straight into the socket's pipe (the HTTP upgrade path adds a stream and a second pipe in each direction).
/// Anything else — other URLs, the spec, bad handshakes, requests after the first — goes on to Kestrel's HTTP
/// stack untouched, where <see cref="PrimusEndpoint.HandleAsync"/> and the actions answer it as before.
/// </summary>
public sealed class PrimusConnectionMiddleware
{
    private readonly PrimusEndpoint _endpoint;
    private readonly string _primusPath;
    private readonly TimeSpan _handshakeTimeout;

    public PrimusConnectionMiddleware(PrimusEndpoint endpoint, string primusPath, TimeSpan handshakeTimeout)
    {
        _endpoint = endpoint;
        _primusPath = primusPath;
        _handshakeTimeout = handshakeTimeout;
    }

    /// <summary>For <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => InvokeAsync(connection, next);

    private async Task InvokeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var (request, timedOut) = await SniffAsync(connection).ConfigureAwait(false);
        if (timedOut) return; // no complete request head within the handshake timeout: closed
        if (request is null)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        var output = connection.Transport.Output;
        WebSocketHandshake.WriteSwitchingProtocols(output, request.Key);
        var remote = connection.RemoteEndPoint as IPEndPoint;
        var info = new ClientInfo("websocket", PrimusEndpoint.RemoteIp(remote?.Address), remote?.Port ?? 0, request.SessionId);
        await output.FlushAsync().ConfigureAwait(false);
        var flushed = await _endpoint.RunAsync(connection.Transport.Input, output, info).ConfigureAwait(false);
        if (!flushed) connection.Abort();
        // Returning hands the socket back to Kestrel, which sends what is left in the pipe and closes it.
    }

    // Peeks at the first request without consuming it unless it is ours. A client that has not sent a complete request
    // head within the timeout (chatcluster.limits.handshake-timeout) is closed: half-open handshakes hold a socket each.
    private async Task<(WebSocketUpgradeRequest? Request, bool TimedOut)> SniffAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(_handshakeTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, true);
            }
            var buffer = result.Buffer;
            var status = WebSocketUpgradeRequest.TryParse(buffer, _primusPath, out var request, out var length, _endpoint.SessionKey);
            // A refused Origin goes to Kestrel too, where PrimusEndpoint.HandleAsync answers it with 403.
            if (status == UpgradeSniff.Upgrade && _endpoint.IsOriginAllowed(request!.Origin))
            {
                input.AdvanceTo(buffer.GetPosition(length));
                return (request, false);
            }
            if (status == UpgradeSniff.NeedMore && !result.IsCompleted && !result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start, buffer.End); // nothing consumed, all examined: wait for more
                continue;
            }
            input.AdvanceTo(buffer.Start); // nothing examined: Kestrel's first read sees the same bytes at once
            return (null, false);
        }
    }
}
