using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports;

/// <summary>
/// The outbound half shared by both transports. A message is framed straight into the socket's
/// <see cref="PipeWriter"/> by the thread that sends it (the fan-out, the connection's actor) and flushed at once:
/// no queue, no writer task and no thread hop per delivery. Kestrel's socket loop sends whatever has been flushed
/// since its last send in one write, so a busy connection gets many frames per syscall on its own.
///
/// Backpressure and the slow-consumer policy: when the socket's pipe is full (Kestrel's write buffer limit) the
/// flush does not complete; until it does, messages wait in a backlog bounded in messages and bytes
/// (<c>chatcluster.outbound.max-messages</c> / <c>max-bytes</c>). A message that does not fit closes the
/// connection (logged, counted in <see cref="Overflows"/>): nothing is dropped silently and node memory stays
/// bounded. An idle connection holds no buffer and no queue.
/// </summary>
public abstract class PipeClientTransport : IClientTransport
{
    private const byte StateOpen = 0, StateEnding = 1, StateClosed = 2;
    private static long s_overflows;
    private static readonly StripedCounter s_bytesOut = new();

    private readonly PipeWriter _output;
    private readonly Lock _gate = new();
    private Queue<OutboundItem>? _backlog; // only while a flush is pending
    private long _backlogBytes;
    private bool _flushing;
    private bool _unflushed; // written by Write, not yet flushed
    private byte _state;
    private bool _readEnded;
    private TaskCompletionSource? _drained;

    protected PipeClientTransport(PipeWriter output, TransportSettings settings, ILogger logger)
    {
        _output = output;
        Settings = settings;
        Logger = logger;
    }

    /// <summary>Connections closed because their outbound backlog overflowed, node-wide.</summary>
    public static long Overflows => Interlocked.Read(ref s_overflows);

    /// <summary>Bytes handed to sockets, node-wide: counted once per flush (a flush carries every message written
    /// since the previous one), never per message.</summary>
    public static long BytesOut => s_bytesOut.Value;

    public abstract string Type { get; }

    public abstract IResponseFormat Format { get; }

    public string ConnectionId { get; set; } = "";

    protected TransportSettings Settings { get; }

    protected ILogger Logger { get; }

    public bool IsClosing => Volatile.Read(ref _state) != StateOpen;

    public bool Send(ReadOnlyMemory<byte> json) => Put(new OutboundItem(json, OutboundKind.Message), flush: true);

    public bool Write(ReadOnlyMemory<byte> json) => Put(new OutboundItem(json, OutboundKind.Message), flush: false);

    public void Flush()
    {
        if (!Volatile.Read(ref _unflushed)) return;
        var after = After.Nothing;
        lock (_gate)
        {
            if (_unflushed && !_flushing && _state != StateClosed) after = StartFlush();
        }
        Finish(after);
    }

    private bool Put(OutboundItem item, bool flush)
    {
        var after = After.Nothing;
        lock (_gate)
        {
            if (_state != StateOpen) return false;
            if (_flushing) after = Enqueue(item, control: item.Kind != OutboundKind.Message);
            else if (!Write(item)) after = After.Dead;
            else if (flush) after = StartFlush();
            else _unflushed = true;
        }
        return Finish(after);
    }

    public void Goodbye() => End(new OutboundItem(default, OutboundKind.Goodbye));

    /// <summary>Tear down an open connection now. A goodbye or close frame already on its way is left to finish
    /// (the endpoint bounds that by <c>chatcluster.close-timeout</c>).</summary>
    public void Abort(string reason)
    {
        lock (_gate)
        {
            if (_state != StateOpen) return;
            _state = StateClosed;
            DropBacklog();
        }
        TransportLog.Aborted(Logger, ConnectionId, Type, reason);
        OnAbort();
    }

    /// <summary>The read loop has ended: nothing more is written (no log, the socket is already gone).</summary>
    public void Closed()
    {
        lock (_gate)
        {
            _state = StateClosed;
            _readEnded = true;
            DropBacklog();
            if (_flushing) _output.CancelPendingFlush();
        }
    }

    /// <summary>Completes when no flush is pending: what was written has been handed to the socket.</summary>
    public Task DrainedAsync()
    {
        lock (_gate)
        {
            if (!_flushing) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>
    /// Send already-framed control bytes (websocket pong / close). With <paramref name="thenEnd"/> the connection
    /// ends once they are written. Returns false when the connection is already closing.
    /// </summary>
    protected bool SendRaw(byte[] frame, bool thenEnd)
    {
        return thenEnd ? End(new OutboundItem(frame, OutboundKind.RawThenEnd)) : Put(new OutboundItem(frame, OutboundKind.Raw), flush: true);
    }

    /// <summary>Frame and write one JSON value (TCP: + <c>\r\n</c>; websocket: a text frame).</summary>
    protected abstract void WriteMessage(PipeWriter output, ReadOnlySpan<byte> json);

    protected abstract void WriteGoodbye(PipeWriter output);

    /// <summary>The goodbye is on the wire: end the read loop so the socket closes.</summary>
    protected abstract void OnGoodbyeWritten();

    /// <summary>Tear the socket down now.</summary>
    protected abstract void OnAbort();

    // What to do once the gate is released: callbacks that may end the read loop never run under it.
    private enum After : byte { Nothing, Ended, Overflow, Dead }

    private bool End(OutboundItem last)
    {
        var after = After.Nothing;
        lock (_gate)
        {
            if (_state != StateOpen) return false;
            _state = StateEnding;
            if (_flushing) Enqueue(last, control: true);
            else if (Write(last)) after = StartFlush();
            else after = After.Dead;
        }
        Finish(after);
        return true;
    }

    // Under the gate. Returns false when the pipe is gone (the read loop sees it too).
    private bool Write(OutboundItem item)
    {
        try
        {
            switch (item.Kind)
            {
                case OutboundKind.Message: WriteMessage(_output, item.Json.Span); break;
                case OutboundKind.Goodbye: WriteGoodbye(_output); break;
                default: _output.Write(item.Json.Span); break;
            }
            return true;
        }
        catch (InvalidOperationException)
        {
            _state = StateClosed;
            return false;
        }
    }

    // Under the gate, with something written. A flush that completes at once is the common case; otherwise the
    // backlog collects what comes next until the socket takes it.
    private After StartFlush()
    {
        _unflushed = false;
        ValueTask<FlushResult> flush;
        try
        {
            CountFlushed();
            flush = _output.FlushAsync();
        }
        catch (InvalidOperationException)
        {
            _state = StateClosed;
            return After.Dead;
        }
        if (!flush.IsCompleted)
        {
            _flushing = true;
            _ = AwaitFlushAsync(flush);
            return After.Nothing;
        }
        return Flushed(ResultOf(flush));
    }

    // The result of a flush that has completed; null when it failed. A ValueTask is read exactly once.
    private static FlushResult? ResultOf(ValueTask<FlushResult> completed)
    {
        try
        {
            return completed.GetAwaiter().GetResult();
        }
        catch (Exception e) when (IsSocketGone(e))
        {
            return null;
        }
    }

    private void CountFlushed()
    {
        if (_output.CanGetUnflushedBytes) s_bytesOut.Add(_output.UnflushedBytes);
    }

    private static bool IsSocketGone(Exception e) =>
        e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException;

    private After Flushed(FlushResult? result)
    {
        if (result is not { IsCompleted: false, IsCanceled: false })
        {
            _state = StateClosed;
            return After.Dead;
        }
        return _state == StateEnding && _backlog is not { Count: > 0 } ? After.Ended : After.Nothing;
    }

    private async Task AwaitFlushAsync(ValueTask<FlushResult> pending)
    {
        while (true)
        {
            FlushResult? result;
            try
            {
                result = await pending.ConfigureAwait(false);
            }
            catch (Exception e) when (IsSocketGone(e))
            {
                result = null; // reported by Flushed below
            }
            After after;
            TaskCompletionSource? drained = null;
            lock (_gate)
            {
                after = Flushed(result);
                if (after != After.Dead && _state != StateClosed && _backlog is { Count: > 0 })
                {
                    var ok = true;
                    while (ok && _backlog.TryDequeue(out var item))
                    {
                        if (item.Kind == OutboundKind.Message) _backlogBytes -= item.Json.Length;
                        ok = Write(item);
                    }
                    if (ok)
                    {
                        try
                        {
                            CountFlushed();
                            pending = _output.FlushAsync();
                        }
                        catch (InvalidOperationException)
                        {
                            _state = StateClosed;
                            ok = false;
                        }
                    }
                    if (ok && !pending.IsCompleted) continue; // still full: keep the backlog open
                    after = ok ? Flushed(ResultOf(pending)) : After.Dead;
                }
                _flushing = false;
                DropBacklog();
                drained = _drained;
                _drained = null;
            }
            drained?.TrySetResult();
            Finish(after);
            return;
        }
    }

    // Under the gate, while a flush is pending. Control items (pong, close, goodbye) always fit.
    private After Enqueue(OutboundItem item, bool control = false)
    {
        _backlog ??= new Queue<OutboundItem>();
        if (!control)
        {
            if (_backlog.Count >= Settings.OutboundMaxMessages || _backlogBytes + item.Json.Length > Settings.OutboundMaxBytes)
                return After.Overflow;
            _backlogBytes += item.Json.Length;
        }
        _backlog.Enqueue(item);
        return After.Nothing;
    }

    private void DropBacklog()
    {
        _backlog = null;
        _backlogBytes = 0;
    }

    // Outside the gate. Returns whether the message was taken.
    private bool Finish(After after)
    {
        switch (after)
        {
            case After.Ended:
                OnGoodbyeWritten();
                return true;
            case After.Overflow:
                Interlocked.Increment(ref s_overflows);
                TransportLog.OutboundOverflow(Logger, ConnectionId, Type, Settings.OutboundMaxMessages, Settings.OutboundMaxBytes);
                Abort("outbound queue overflow");
                return false;
            case After.Dead:
                if (!Volatile.Read(ref _readEnded)) OnAbort(); // the socket failed under a write: end the read loop too
                return false;
            default:
                return true;
        }
    }
}
