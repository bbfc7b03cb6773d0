using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using ChatCluster.Messages;
using ChatCluster.Transports.Limits;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Tcp;

/// <summary>
/// The TCP "socket" server (ActionHero 20's line protocol) as a Kestrel connection handler: read lines,
/// hand each to the connection, until the client leaves, says goodbye, or breaks.
/// </summary>
public sealed class TcpConnectionHandler : ConnectionHandler
{
    private readonly IConnectionHost _host;
    private readonly TransportSettings _settings;
    private readonly ILogger _logger;

    public TcpConnectionHandler(IConnectionHost host, TransportSettings settings, ILoggerFactory loggers)
    {
        _host = host;
        _settings = settings;
        _logger = loggers.CreateLogger("ChatCluster.Tcp");
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint as IPEndPoint;
        var transport = new TcpClientTransport(connection, _settings, _logger);
        var info = new ClientInfo("socket", RemoteIp(remote), remote?.Port ?? 0, null);
        var session = _host.Open(transport, info);
        transport.ConnectionId = session.ConnectionId;
        var input = connection.Transport.Input;
        var framer = new LineFramer(_settings.TcpMaxLineBytes);
        var limits = _settings.Limits;
        var pacing = new InboundPacing(limits);
        // Until the first complete line: a client that connects and says nothing holds a socket for nothing.
        using var firstRequest = new CancellationTokenSource(limits.FirstRequestTimeout);
        var waitingForFirst = true;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(waitingForFirst ? firstRequest.Token : default).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (firstRequest.IsCancellationRequested)
                {
                    transport.SendThenClose(TcpResponseFormat.ConnectionError(ChatErrors.FirstRequestTimeout(limits.FirstRequestTimeout.TotalSeconds)),
                        "no request within chatcluster.limits.first-request-timeout");
                    break;
                }
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                var received = buffer.Length;
                if (LineFramer.IsBreak(buffer))
                {
                    input.AdvanceTo(buffer.End);
                    session.Break();
                    continue;
                }
                var full = false; // max-requests-in-flight reached: stop here, read no further until a reply goes out
                try
                {
                    while (!full)
                    {
                        var status = framer.TryRead(ref buffer, out var line, out var length);
                        if (status == LineStatus.NeedMore) break;
                        waitingForFirst = false;
                        full = transport.RequestStarted();
                        if (status == LineStatus.Line) session.Receive(TcpRequestParser.Parse(line!));
                        else
                        {
                            TransportLog.LineTooLong(_logger, session.ConnectionId, length, _settings.TcpMaxLineBytes);
                            session.LineTooLong(length, _settings.TcpMaxLineBytes);
                        }
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
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException)
        {
            // client went away
        }
        catch (Exception e)
        {
            TransportLog.ReadLoopFailed(_logger, e, session.ConnectionId);
        }
        finally
        {
            // A goodbye has already been handed to the socket's pipe (the read loop ends after it); Kestrel sends
            // what is in the pipe before it closes the socket.
            transport.Closed();
            session.TransportClosed();
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    internal static string RemoteIp(IPEndPoint? endPoint)
    {
        if (endPoint is null) return "unknown";
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return address.ToString();
    }
}
