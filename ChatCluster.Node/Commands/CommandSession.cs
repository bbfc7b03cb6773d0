using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using ChatCluster.Messages;
using ChatCluster.Messages.Commands;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands;

/// <summary>
/// One ccm connection:
/// <code>
///   connected --hello(token ok)--> ready --run--> running --end--> ready ... --eof/idle/closing--> closed
///       \--hello(bad token) / no hello within handshake-timeout / frame too long --> closed (Denied first)
/// </code>
/// One command runs at a time. Output goes through a bounded queue to a writer loop; a client that does not read
/// fills it (or stalls one write past write-timeout) and is closed, so it can never hold the node.
/// </summary>
public sealed class CommandSession
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly CmdSettings _settings;
    private readonly CommandDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly Channel<CommandFrame> _out;
    private readonly EndPoint? _peer;
    private readonly CancellationTokenSource _cut = new();
    private string? _closeReason;

    public CommandSession(Socket socket, CmdSettings settings, CommandDispatcher dispatcher, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _settings = settings;
        _dispatcher = dispatcher;
        _logger = logger;
        _peer = socket.RemoteEndPoint;
        _out = Channel.CreateBounded<CommandFrame>(new BoundedChannelOptions(settings.MaxQueuedLines)
        {
            SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Sends one refusal and closes (used past max-sessions), bounded by the write timeout.</summary>
    public async Task RefuseAsync(string error)
    {
        CmdLog.Refused(_logger, _peer, error);
        try
        {
            using var cts = new CancellationTokenSource(_settings.WriteTimeout);
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(new CommandFrame.Denied(error).ToJson() + "\n"), cts.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
        finally
        {
            _stream.Dispose();
        }
    }

    public async Task RunAsync(CancellationToken closing, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _cut.Token);
        var writer = WriteLoopAsync(linked.Token);
        try
        {
            await ReadLoopAsync(closing, linked.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _closeReason ??= linked.IsCancellationRequested ? "stopped" : e.Message;
        }
        finally
        {
            _dispatcher.CancelRunning(this);
            _out.Writer.TryComplete();
            await Task.WhenAny(writer, Task.Delay(_settings.WriteTimeout));
            await _cut.CancelAsync();
            await LingerAsync();
            _stream.Dispose();
            if (_closeReason is not null) CmdLog.Closed(_logger, _peer, _closeReason);
            _cut.Dispose();
        }
    }

    public EndPoint? Peer => _peer;

    // A lingering close: input the client already sent is read and dropped for a moment, so closing does not reset
    // the connection (a reset can destroy the final frame before the client reads it). Bounded in time and bytes.
    private async Task LingerAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(LingerTime);
            var buffer = new byte[4096];
            var total = 0;
            int n;
            while (total < LingerBytes && (n = await _stream.ReadAsync(buffer, linger.Token)) > 0) total += n;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    private const int LingerBytes = 64 * 1024;

    /// <summary>Queues a frame; false (and the session is cut) when the client has stopped reading.</summary>
    public bool Write(CommandFrame frame)
    {
        if (_out.Writer.TryWrite(frame)) return true;
        Cut("client not reading its output (chatcluster.cmd.max-queued-lines)");
        return false;
    }

    private void Cut(string reason)
    {
        _closeReason ??= reason;
        _out.Writer.TryComplete();
        try
        {
            _cut.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancel)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (await _out.Reader.WaitToReadAsync(cancel))
            {
                buffer.Clear();
                while (buffer.WrittenCount < 64 * 1024 && _out.Reader.TryRead(out var frame))
                {
                    Encoding.UTF8.GetBytes(frame.ToJson(), buffer);
                    buffer.Write("\n"u8);
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timeout.CancelAfter(_settings.WriteTimeout);
                try
                {
                    await _stream.WriteAsync(buffer.WrittenMemory, timeout.Token);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    Cut($"client did not read for {_settings.WriteTimeout} (chatcluster.cmd.write-timeout)");
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadLoopAsync(CancellationToken closing, CancellationToken cancel)
    {
        var reader = new FrameReader(_stream, _settings.MaxLineBytes);
        // Handshake: the first frame must be a hello with the right token, within handshake-timeout.
        string? first;
        using (var hello = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            hello.CancelAfter(_settings.HandshakeTimeout);
            try
            {
                first = await reader.ReadLineAsync(hello.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                _closeReason = "no hello within chatcluster.cmd.handshake-timeout";
                return;
            }
            catch (FrameReader.TooLongException)
            {
                Deny(ChatErrors.CmdLineTooLong(_settings.MaxLineBytes));
                return;
            }
        }
        if (first is null) return;
        CommandFrame frame;
        try
        {
            frame = CommandFrame.Parse(first);
        }
        catch (FormatException e)
        {
            Deny(ChatErrors.CmdBadFrame(e.Message));
            return;
        }
        if (frame is not CommandFrame.Hello h)
        {
            Deny(ChatErrors.CmdHelloExpected);
            return;
        }
        if (!_dispatcher.Authorize(h.Token))
        {
            CmdLog.Refused(_logger, _peer, "wrong or missing token");
            Deny(ChatErrors.CmdNotAuthorized);
            return;
        }
        Write(_dispatcher.Welcome());

        while (true)
        {
            // Idle sessions close when the listener stops or after idle-timeout; a running command keeps the session.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel, closing);
            if (!_dispatcher.IsRunning(this)) wait.CancelAfter(_settings.IdleTimeout);
            string? line;
            try
            {
                line = await reader.ReadLineAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                if (_dispatcher.IsRunning(this))
                {
                    // Closing with a command in flight: let it finish (bounded by the listener's grace), then close.
                    await _dispatcher.WhenIdle(this).WaitAsync(cancel);
                    return;
                }
                _closeReason = closing.IsCancellationRequested ? null : "idle for chatcluster.cmd.idle-timeout";
                return;
            }
            catch (FrameReader.TooLongException)
            {
                Deny(ChatErrors.CmdLineTooLong(_settings.MaxLineBytes));
                return;
            }
            if (line is null)
            {
                // The client hung up: anything still running for it is cancelled by RunAsync.
                return;
            }
            if (line.Length == 0) continue;
            try
            {
                frame = CommandFrame.Parse(line);
            }
            catch (FormatException e)
            {
                // A bad frame is answered; the session stays usable.
                Write(new CommandFrame.End(0, CommandFrame.End.Usage, ChatErrors.CmdBadFrame(e.Message)));
                continue;
            }
            switch (frame)
            {
                case CommandFrame.Run run:
                    _dispatcher.Run(this, run);
                    break;
                case CommandFrame.Cancel c:
                    _dispatcher.Cancel(this, c.Id);
                    break;
                default:
                    Write(new CommandFrame.End(0, CommandFrame.End.Usage, ChatErrors.CmdBadFrame("unexpected " + frame.GetType().Name.ToLowerInvariant())));
                    break;
            }
        }
    }

    private void Deny(string error)
    {
        _closeReason ??= error;
        Write(new CommandFrame.Denied(error));
    }
}
