using System.Buffers;
using System.Net;
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
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                if (LineFramer.IsBreak(buffer))
                {
                    input.AdvanceTo(buffer.End);
                    session.Break();
                    continue;
                }
                try
                {
                    while (true)
                    {
                        var status = framer.TryRead(ref buffer, out var line, out var received);
                        if (status == LineStatus.NeedMore) break;
                        if (status == LineStatus.Line) session.Receive(SocketRequestParser.Parse(line!));
                        else
                        {
                            TransportLog.LineTooLong(_logger, session.ConnectionId, received, _settings.TcpMaxLineBytes);
                            session.LineTooLong(received, _settings.TcpMaxLineBytes);
                        }
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted) break;
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
