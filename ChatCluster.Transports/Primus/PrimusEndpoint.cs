using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Primus;

/// <summary>
/// ActionHero 29's websocket server: Primus at <c>/primus</c> (prefix match) on the web port.
/// <c>GET /primus/spec</c> answers Primus' spec, an upgrade becomes a connection, anything else is 426.
/// We host the upgraded stream ourselves (RFC 6455 framing in <see cref="WebSocketFrameCodec"/>) so that many
/// frames go out in one socket write and the frame-size limit is checked from the header.
/// </summary>
public sealed class PrimusEndpoint
{
    private readonly IConnectionHost _host;
    private readonly TransportSettings _settings;
    private readonly PrimusHeartbeat _heartbeat;
    private readonly ILogger _logger;
    private readonly byte[] _spec;

    public PrimusEndpoint(IConnectionHost host, TransportSettings settings, PrimusHeartbeat heartbeat, ILoggerFactory loggers)
    {
        _host = host;
        _settings = settings;
        _heartbeat = heartbeat;
        _logger = loggers.CreateLogger("ChatCluster.WebSocket");
        _spec = System.Text.Encoding.UTF8.GetBytes(PrimusCodec.Spec((int)settings.PingInterval.TotalMilliseconds, settings.PrimusPath));
    }

    /// <summary>chatcluster.websocket.allowed-origins; a duplicated Origin header (joined by Kestrel) matches no entry.</summary>
    public bool IsOriginAllowed(string? origin) => _settings.AllowedOrigins.IsAllowed(origin);

    /// <summary>The session cookie / query key the fast path reads the fingerprint from.</summary>
    public string SessionKey => _settings.SessionKey;

    public bool Matches(PathString path) => path.StartsWithSegments(_settings.PrimusPath, StringComparison.Ordinal)
        || (path.HasValue && path.Value!.StartsWith(_settings.PrimusPath, StringComparison.Ordinal));

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path == _settings.PrimusPath + "/spec")
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = _spec.Length;
            await context.Response.Body.WriteAsync(_spec).ConfigureAwait(false);
            return;
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var headers = context.Request.Headers;
        var key = headers.SecWebSocketKey.ToString();
        var isWebSocket = upgrade is { IsUpgradableRequest: true }
            && HttpMethods.IsGet(context.Request.Method)
            && string.Equals(headers.Upgrade.ToString(), "websocket", StringComparison.OrdinalIgnoreCase);
        if (!isWebSocket)
        {
            // As Primus answers it [observed]: 426, no caching, plain text.
            context.Response.StatusCode = 426;
            context.Response.Headers.CacheControl = "no-store, no-cache, must-revalidate, max-age=0";
            context.Response.Headers.Pragma = "no-cache";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("Upgrade Required").ConfigureAwait(false);
            return;
        }
        if (!IsOriginAllowed(headers.Origin.Count == 0 ? null : headers.Origin.ToString()))
        {
            TransportLog.WebSocketOriginRefused(_logger, headers.Origin.ToString());
            context.Response.StatusCode = 403;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(ChatCluster.Messages.ChatErrors.OriginNotAllowed).ConfigureAwait(false);
            return;
        }
        if (headers.SecWebSocketVersion.ToString() != "13" || !WebSocketHandshake.IsValidKey(key))
        {
            context.Response.StatusCode = 400;
            context.Response.Headers.SecWebSocketVersion = "13";
            await context.Response.WriteAsync("Bad websocket handshake").ConfigureAwait(false);
            return;
        }

        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = WebSocketHandshake.ComputeAccept(key);
        var stream = await upgrade!.UpgradeAsync().ConfigureAwait(false);
        // An upgrade that came through HTTP (e.g. after other requests on a keep-alive connection): frames run over
        // Kestrel's upgraded stream. The first request of a connection takes the fast path in PrimusConnectionMiddleware.
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1024, minimumReadSize: 256, leaveOpen: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
        var fingerprint = SessionFingerprint.Choose(context.Request.Query[_settings.SessionKey].ToString(), headers.Cookie.ToString(), _settings.SessionKey);
        var info = new ClientInfo("websocket", RemoteIp(context.Connection.RemoteIpAddress), context.Connection.RemotePort, fingerprint);
        var flushed = await RunAsync(input, output, info).ConfigureAwait(false);
        await input.CompleteAsync().ConfigureAwait(false);
        await output.CompleteAsync().ConfigureAwait(false);
        // Returning ends the upgraded connection gracefully (what was written is sent, then FIN);
        // only a socket that could not take our last frames in time is cut.
        if (!flushed) context.Abort();
    }

    /// <summary>
    /// One websocket connection, from the first frame to the end: frames in from <paramref name="input"/>, replies and
    /// chat out to <paramref name="output"/>. Returns false when the last frames could not be flushed in time (the
    /// caller then cuts the socket).
    /// </summary>
    public async Task<bool> RunAsync(PipeReader input, PipeWriter output, ClientInfo info)
    {
        var transport = new WebSocketClientTransport(output, _settings, _logger, () => input.CancelPendingRead());
        var session = _host.Open(transport, info);
        transport.ConnectionId = session.ConnectionId;
        _heartbeat.Add(transport);
        var assembler = new WebSocketMessageAssembler(_settings.WebSocketMaxMessageBytes, _settings.WebSocketMaxFragments);
        var pacing = new Limits.InboundPacing(_settings.Limits);
        try
        {
            var reading = true;
            while (reading)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                var received = buffer.Length;
                var full = false; // max-requests-in-flight reached: read no further until a reply goes out
                try
                {
                    while (reading && !full)
                    {
                        var status = WebSocketFrameCodec.TryParse(ref buffer, _settings.WebSocketMaxMessageBytes, out var frame, out var closeCode);
                        if (status == FrameParseStatus.NeedMore) break;
                        if (status == FrameParseStatus.Error)
                        {
                            ProtocolClose(transport, closeCode, "invalid frame");
                            reading = false;
                            break;
                        }
                        reading = OnFrame(transport, session, assembler, frame, ref full);
                    }
                }
                finally
                {
                    // When stopped at the bound, what is left is unexamined, so the next read returns it at once.
                    if (full) input.AdvanceTo(buffer.Start);
                    else input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (full) await transport.WaitForRequestSlotAsync().ConfigureAwait(false);
                else if (result.IsCompleted) break;
                await pacing.AfterAsync(received - buffer.Length).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or ConnectionResetException)
        {
            // client went away
        }
        catch (Exception e)
        {
            TransportLog.ReadLoopFailed(_logger, e, session.ConnectionId);
        }
        finally
        {
            _heartbeat.Remove(transport);
            if (!transport.IsClosing) transport.Closed(); // the client left without a close handshake
            session.TransportClosed();
        }
        try
        {
            // Let a queued close frame or goodbye reach the client, but never wait on a stuck socket for long.
            await transport.DrainedAsync().WaitAsync(_settings.CloseTimeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            transport.Closed();
        }
    }

    /// <summary>Returns false when the connection is closing.</summary>
    private bool OnFrame(WebSocketClientTransport transport, IClientSession session, WebSocketMessageAssembler assembler, in WebSocketFrame frame, ref bool full)
    {
        var result = assembler.Push(frame);
        switch (result.Kind)
        {
            case AssemblerResultKind.Incomplete:
                return true;
            case AssemblerResultKind.Error:
                ProtocolClose(transport, result.CloseCode, "invalid message");
                return false;
            case AssemblerResultKind.Control:
                switch (result.Opcode)
                {
                    case WebSocketOpcode.Ping:
                        transport.Alive = true; // a websocket-level ping counts as liveness, as in Primus
                        transport.Pong(result.Payload);
                        return true;
                    case WebSocketOpcode.Pong:
                        transport.Alive = true;
                        return true;
                    default: // Close: echo the client's code and end; a malformed close body gets 1002 (RFC 6455 7.4.1)
                        if (WebSocketFrameCodec.TryReadClose(result.Payload, out var code)) transport.CloseWith(code);
                        else ProtocolClose(transport, WebSocketCloseCodes.ProtocolError, "invalid close frame");
                        return false;
                }
            default:
                var inbound = result.Opcode == WebSocketOpcode.Binary
                    ? PrimusCodec.DecodeBinary(result.Payload, _settings.BinaryEchoMaxBytes)
                    : PrimusCodec.Decode(result.Payload);
                switch (inbound.Kind)
                {
                    case PrimusInboundKind.Request:
                        full = transport.RequestStarted();
                        session.Receive(inbound.Request!);
                        break;
                    case PrimusInboundKind.Pong:
                        transport.Alive = true;
                        break;
                    case PrimusInboundKind.IdRequest:
                        transport.Send(PrimusCodec.Id(session.ConnectionId));
                        break;
                    case PrimusInboundKind.Refused:
                        // Nothing of the message is echoed (it may be large or undecodable); its messageId is unknown, so it
                        // gets a fresh one, as a request without messageId does.
                        transport.Send(transport.Format.VerbError(inbound.Error!, "\"" + Guid.NewGuid().ToString() + "\"", null));
                        break;
                }
                return true;
        }
    }

    private void ProtocolClose(WebSocketClientTransport transport, ushort code, string reason)
    {
        TransportLog.WebSocketProtocolClose(_logger, transport.ConnectionId, code, reason);
        transport.CloseWith(code);
    }

    internal static string RemoteIp(IPAddress? address)
    {
        if (address is null) return "unknown";
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
