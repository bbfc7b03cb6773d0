using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports;

/// <summary>
/// The outbound half shared by both transports: a bounded queue per connection and one writer loop that
/// drains everything queued into the socket's <see cref="PipeWriter"/> and flushes once per batch (many
/// frames per socket write).
///
/// Slow-consumer policy: the queue is bounded both in messages and in bytes
/// (<c>chatcluster.outbound.max-messages</c> / <c>max-bytes</c>). When a client stops reading, the socket
/// flush stalls, the queue fills, and the next message that does not fit closes the connection (logged,
/// counted in <see cref="Overflows"/>). Nothing is dropped silently and node memory stays bounded.
/// </summary>
public abstract class ChannelTransport : IClientTransport
{
    private static long s_overflows;

    private readonly Channel<OutboundItem> _queue;
    private readonly long _maxBytes;
    private long _queuedBytes;
    private int _closing; // 0 open, 1 goodbye queued, 2 aborted

    protected ChannelTransport(TransportSettings settings, ILogger logger)
    {
        Settings = settings;
        Logger = logger;
        _maxBytes = settings.OutboundMaxBytes;
        _queue = Channel.CreateBounded<OutboundItem>(new BoundedChannelOptions(settings.OutboundMaxMessages)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; nobody waits
        });
    }

    /// <summary>Connections closed because their outbound queue overflowed, node-wide.</summary>
    public static long Overflows => Interlocked.Read(ref s_overflows);

    public abstract string Type { get; }

    public abstract IResponseFormat Format { get; }

    public string ConnectionId { get; set; } = "";

    protected TransportSettings Settings { get; }

    protected ILogger Logger { get; }

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public bool Send(ReadOnlyMemory<byte> json)
    {
        if (Volatile.Read(ref _closing) != 0) return false;
        var queued = Interlocked.Add(ref _queuedBytes, json.Length);
        if (queued > _maxBytes || !_queue.Writer.TryWrite(new OutboundItem(json, OutboundKind.Message)))
        {
            Interlocked.Add(ref _queuedBytes, -json.Length);
            Interlocked.Increment(ref s_overflows);
            TransportLog.OutboundOverflow(Logger, ConnectionId, Type, Settings.OutboundMaxMessages, _maxBytes);
            Abort("outbound queue overflow");
            return false;
        }
        return true;
    }

    public void Goodbye()
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0) return;
        if (!_queue.Writer.TryWrite(new OutboundItem(default, OutboundKind.Goodbye)))
        {
            Abort("outbound queue full at goodbye");
            return;
        }
        _queue.Writer.TryComplete();
    }

    /// <summary>Tear down an open connection now. A goodbye or close frame already queued is left to finish
    /// (the endpoint bounds that by <c>chatcluster.close-timeout</c>).</summary>
    public void Abort(string reason)
    {
        if (Interlocked.CompareExchange(ref _closing, 2, 0) != 0) return;
        TransportLog.Aborted(Logger, ConnectionId, Type, reason);
        _queue.Writer.TryComplete();
        OnAbort();
    }

    /// <summary>The read loop has ended: stop the writer quietly (no log, the socket is already gone).</summary>
    public void Closed()
    {
        Interlocked.Exchange(ref _closing, 2);
        _queue.Writer.TryComplete();
    }

    /// <summary>
    /// Queue already-framed control bytes ahead of closing or alongside messages (websocket pong / close).
    /// With <paramref name="thenEnd"/> the connection ends after they are written.
    /// </summary>
    protected bool SendRaw(byte[] frame, bool thenEnd)
    {
        if (thenEnd)
        {
            if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0) return false;
            if (!_queue.Writer.TryWrite(new OutboundItem(frame, OutboundKind.RawThenEnd)))
            {
                Abort("outbound queue full at close");
                return false;
            }
            _queue.Writer.TryComplete();
            return true;
        }
        if (Volatile.Read(ref _closing) != 0) return false;
        return _queue.Writer.TryWrite(new OutboundItem(frame, OutboundKind.Raw));
    }

    /// <summary>Runs until the goodbye is written, the connection aborts, or the socket fails.</summary>
    public async Task RunWriterAsync(PipeWriter output)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                if (Volatile.Read(ref _closing) == 2) break;
                while (reader.TryRead(out var item))
                {
                    switch (item.Kind)
                    {
                        case OutboundKind.Message:
                            Interlocked.Add(ref _queuedBytes, -item.Json.Length);
                            WriteMessage(output, item.Json.Span);
                            break;
                        case OutboundKind.Raw:
                            output.Write(item.Json.Span);
                            break;
                        case OutboundKind.Goodbye:
                        case OutboundKind.RawThenEnd:
                            if (item.Kind == OutboundKind.Goodbye) WriteGoodbye(output);
                            else output.Write(item.Json.Span);
                            await output.FlushAsync().ConfigureAwait(false);
                            OnGoodbyeWritten();
                            return;
                    }
                }
                var flush = await output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The socket went away under us: the read loop sees it too and closes the connection.
        }
        finally
        {
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>Frame and write one JSON value (TCP: + <c>\r\n</c>; websocket: a text frame).</summary>
    protected abstract void WriteMessage(PipeWriter output, ReadOnlySpan<byte> json);

    protected abstract void WriteGoodbye(PipeWriter output);

    /// <summary>The goodbye is on the wire: end the read loop so the socket closes.</summary>
    protected abstract void OnGoodbyeWritten();

    /// <summary>Tear the socket down now.</summary>
    protected abstract void OnAbort();
}
