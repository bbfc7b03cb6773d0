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
/// flush does not complete; until it does, messages wait in a backlog. The reader is judged by
/// <see cref="Limits.SlowConsumerRule"/>: bytes waiting (<c>chatcluster.outbound.max-bytes</c>) and the age of the
/// oldest waiting message (<c>max-age</c>), so a burst that a reader drains does not cut it. A reader judged slow
/// is disconnected (logged with both figures, counted in <see cref="Overflows"/>): nothing is dropped silently and
/// node memory stays bounded. An idle connection holds no buffer and no queue.
///
/// Inbound backpressure: the read loop counts requests in (<see cref="RequestStarted"/>); a reply written with
/// <see cref="Reply"/> ends one. At <c>chatcluster.limits.max-requests-in-flight</c> the read loop waits
/// (<see cref="WaitForRequestSlotAsync"/>) and the socket is not read meanwhile.
/// </summary>
public abstract class PipeClientTransport : IClientTransport
{
    private const byte StateOpen = 0, StateEnding = 1, StateClosed = 2;
    private static long s_overflows;
    private static readonly StripedCounter s_bytesOut = new();

    // Memory of one waiting message beyond its bytes: its queue slot (memory and kind) and its array's header.
    // Counted so that a flood of tiny messages is bounded by max-bytes too.
    private const int ItemOverheadBytes = 48;

    private readonly PipeWriter _output;
    private readonly Lock _gate = new();
    private Queue<OutboundItem>? _backlog; // only while a flush is pending
    private long _backlogBytes;
    private bool _flushing;
    private long _flushingSinceMs; // when the socket stopped taking data (the pending flush began)
    private bool _unflushed; // written by Write, not yet flushed
    private byte _state;
    private bool _readEnded;
    private TaskCompletionSource? _drained;
    private int _inFlight; // requests read and not yet answered
    private TaskCompletionSource? _slotFreed; // the read loop waits on it at max-requests-in-flight

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

    public abstract ClientDialect Dialect { get; }

    /// <summary>Bytes with no framing (the TCP <c>file</c> verb); a transport that frames every message sends them as one.</summary>
    public virtual bool SendUnframed(byte[] bytes) => Send(bytes);

    public string ConnectionId { get; set; } = "";

    protected TransportSettings Settings { get; }

    protected ILogger Logger { get; }

    public bool IsClosing => Volatile.Read(ref _state) != StateOpen;

    public bool Send(ReadOnlyMemory<byte> json) => Put(new OutboundItem(json, OutboundKind.Message), flush: true);

    public bool Write(ReadOnlyMemory<byte> json) => Put(new OutboundItem(json, OutboundKind.Message), flush: false);

    /// <summary>Send the reply to a request: the request is done (one less in flight).</summary>
    public bool Reply(ReadOnlyMemory<byte> json)
    {
        var sent = Send(json);
        RequestDone();
        return sent;
    }

    /// <summary>Requests read and not yet answered.</summary>
    public int RequestsInFlight => Volatile.Read(ref _inFlight);

    /// <summary>The read loop handed a request on. Returns true when the in-flight bound is now reached: the loop
    /// should stop reading and <see cref="WaitForRequestSlotAsync"/>.</summary>
    public bool RequestStarted() => Interlocked.Increment(ref _inFlight) >= Settings.Limits.MaxRequestsInFlight;

    /// <summary>A request was answered (or dropped with its connection).</summary>
    public void RequestDone()
    {
        TaskCompletionSource? freed = null;
        lock (_gate)
        {
            if (_inFlight > 0) _inFlight--;
            if (_slotFreed is not null && _inFlight < Settings.Limits.MaxRequestsInFlight)
            {
                freed = _slotFreed;
                _slotFreed = null;
            }
        }
        freed?.TrySetResult();
    }

    /// <summary>Completes once fewer than <c>max-requests-in-flight</c> requests are open, or the connection is closed.</summary>
    public Task WaitForRequestSlotAsync()
    {
        lock (_gate)
        {
            if (_inFlight < Settings.Limits.MaxRequestsInFlight || _state != StateOpen) return Task.CompletedTask;
            _slotFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _slotFreed.Task;
        }
    }

    /// <summary>
    /// Send one last JSON value (an error that says why) and close: TCP writes the line, websocket the text frame and
    /// a close frame (1008). For limits: a silent client, a client that keeps breaking a rate limit.
    /// </summary>
    public bool SendThenClose(ReadOnlyMemory<byte> json, string reason)
    {
        if (!End(new OutboundItem(json, OutboundKind.MessageThenEnd))) return false;
        Limits.LimitsLog.ClosedByLimit(Logger, ConnectionId, Type, reason);
        return true;
    }

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
    public void Abort(string reason) => TryAbort(reason);

    // Returns false when the connection was already closing (another thread got there first).
    private bool TryAbort(string reason)
    {
        lock (_gate)
        {
            if (_state != StateOpen) return false;
            _state = StateClosed;
            DropBacklog();
        }
        TransportLog.Aborted(Logger, ConnectionId, Type, reason);
        OnAbort();
        ReleaseSlotWaiter();
        return true;
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
        ReleaseSlotWaiter();
    }

    // The connection is ending: a read loop waiting for a request slot must go on, to see its read cancelled and end.
    private void ReleaseSlotWaiter()
    {
        TaskCompletionSource? freed;
        lock (_gate)
        {
            freed = _slotFreed;
            _slotFreed = null;
        }
        freed?.TrySetResult();
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

    /// <summary>Frame a last message and the transport's close (websocket: a close frame); TCP just the line.</summary>
    protected virtual void WriteMessageThenClose(PipeWriter output, ReadOnlySpan<byte> json) => WriteMessage(output, json);

    /// <summary>The goodbye is on the wire: end the read loop so the socket closes.</summary>
    protected abstract void OnGoodbyeWritten();

    /// <summary>Tear the socket down now.</summary>
    protected abstract void OnAbort();

    // What to do once the gate is released: callbacks that may end the read loop never run under it.
    private enum After : byte { Nothing, Ended, Overflow, Dead }

    private Limits.SlowConsumerVerdict _overflow; // why the last Overflow was decided (read outside the gate)
    private long _overflowBytes;
    private long _overflowAgeMs;

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
                case OutboundKind.MessageThenEnd: WriteMessageThenClose(_output, item.Json.Span); break;
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
            _flushingSinceMs = Environment.TickCount64;
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
                        if (item.Kind == OutboundKind.Message) _backlogBytes -= item.Json.Length + ItemOverheadBytes;
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
                    if (ok && !pending.IsCompleted)
                    {
                        // The socket took the last flush: the reader is reading. The age starts again from here.
                        _flushingSinceMs = Environment.TickCount64;
                        continue; // still full: keep the backlog open
                    }
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
            var size = item.Json.Length + ItemOverheadBytes;
            // The age of the oldest waiting byte: since the socket stopped taking data. Whatever waits in the kernel
            // and in Kestrel's pipe has waited at least that long too, so a reader whose buffers absorbed a burst and
            // then stopped is caught by the next message.
            var oldest = TimeSpan.FromMilliseconds(Environment.TickCount64 - _flushingSinceMs);
            var verdict = Limits.SlowConsumerRule.Judge(_backlogBytes, size, oldest, Settings.OutboundMaxBytes, Settings.OutboundMaxAge);
            if (verdict != Limits.SlowConsumerVerdict.Keep)
            {
                _overflow = verdict;
                _overflowBytes = _backlogBytes;
                _overflowAgeMs = (long)oldest.TotalMilliseconds;
                return After.Overflow;
            }
            _backlogBytes += size;
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
                ReleaseSlotWaiter();
                return true;
            case After.Overflow:
                if (!TryAbort("outbound queue overflow")) return false; // two senders overflowed at once: one report
                Interlocked.Increment(ref s_overflows);
                TransportLog.OutboundOverflow(Logger, ConnectionId, Type,
                    _overflow == Limits.SlowConsumerVerdict.TooOld ? "the oldest waiting message is too old" : "too many bytes waiting",
                    Volatile.Read(ref _overflowBytes), Settings.OutboundMaxBytes, Volatile.Read(ref _overflowAgeMs), (long)Settings.OutboundMaxAge.TotalMilliseconds);
                return false;
            case After.Dead:
                if (!Volatile.Read(ref _readEnded)) OnAbort(); // the socket failed under a write: end the read loop too
                ReleaseSlotWaiter();
                return false;
            default:
                return true;
        }
    }
}
