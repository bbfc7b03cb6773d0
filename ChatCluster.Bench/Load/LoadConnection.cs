using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ChatCluster.Transports;

namespace ChatCluster.Bench.Load;

/// <summary>
/// One client connection of the load tool: a raw socket, an async receive loop that frames the bytes
/// (RFC 6455 client side, or lines), and the three wire protocols (Primus JSON frames, SignalR JSON hub
/// records, ActionHero's TCP line protocol).
/// </summary>
/// <remarks>
/// Hot path = <see cref="Process"/> → <see cref="OnDelivery"/>: per delivery one vectorized search for the
/// body marker, two digit runs, a histogram bucket; no JSON parse, no allocation. The receive time is
/// read once per socket read. Setup (connect, handshake, welcome, join) is async code with awaits and
/// allocations, which is fine at a few thousand per second.
/// </remarks>
internal sealed class LoadConnection
{
    private const int SolIp = 0, IpBindAddressNoPort = 24; // <netinet/in.h>, Linux
    private const int MaxHeader = 14; // masked client frame header: 2 + 8 + 4
    private const int MaxPendingSends = 64; // async sends in flight before a say is skipped (socket backed up)

    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> StatusPrefix => "{\"status\""u8;
    private static ReadOnlySpan<byte> ErrorPrefix => "{\"error\""u8;
    private static ReadOnlySpan<byte> WelcomePrefix => "{\"welcome\""u8;
    private static ReadOnlySpan<byte> ResponseContext => "\"context\":\"response\""u8;
    private static ReadOnlySpan<byte> ErrorKey => "\"error\""u8;
    private static ReadOnlySpan<byte> MessageIdKey => "\"messageId\":"u8;
    private static ReadOnlySpan<byte> InvocationIdKey => "\"invocationId\":\""u8;
    private static ReadOnlySpan<byte> PrimusPing => "\"primus::ping::"u8;
    private static ReadOnlySpan<byte> TypePrefix => "{\"type\":"u8;
    private static ReadOnlySpan<byte> SrPing => "{\"type\":6}\u001e"u8;

    private readonly LoadWorker _w;
    private readonly LoadOptions _o;
    private readonly LoadProtocol _protocol;
    private readonly byte[] _roomJson; // room name as it appears inside a JSON string (names are plain ASCII here)
    private readonly uint _mask;
    private Socket? _socket;
    private byte[] _buf;
    private int _start, _end;
    private bool _upgraded;
    private bool _srHandshakeDone;
    private byte[]? _frag; // fragmented websocket message being assembled
    private int _fragLen;
    private string? _acceptExpected;

    // setup-phase waits: at most one outstanding request (the protocols' setup is sequential)
    private TaskCompletionSource<bool>? _upgradeTcs;
    private TaskCompletionSource<bool>? _welcomeTcs;
    private TaskCompletionSource<(bool ok, string text)>? _replyTcs;
    private long _replyId = -1;
    private long _requestId;

    public readonly int Index;
    public readonly int RoomIndex;
    public bool Ok, Joined, Welcomed, LastReplyCreated;
    public long StartUs, WelcomeUs;
    public int Outstanding;
    public long LastEchoUs, LastSendUs, Sent;
    private int _pendingSends;
    private Task? _receiveLoop;
    public bool Closing;

    public LoadConnection(LoadWorker worker, int index)
    {
        _w = worker;
        _o = worker.Options;
        _protocol = _o.WireProtocol;
        Index = index;
        RoomIndex = _o.RoomIndex(index);
        _roomJson = Encoding.UTF8.GetBytes(_o.RoomName(RoomIndex));
        _mask = (uint)Random.Shared.Next() | 1u;
        _buf = new byte[_o.RecvBuffer];
    }

    // ------------------------------------------------------------------ setup

    /// <summary>Connect, handshake, welcome and (when the scenario joins) join the room. False on any failure
    /// (the reason goes to the worker's error counts).</summary>
    public async Task<bool> SetupAsync(IPAddress? localAddress, EndPoint remote, bool join, CancellationToken ct)
    {
        StartUs = ProcStats.NowMicros();
        var timeout = TimeSpan.FromSeconds(_o.SetupTimeout);
        try
        {
            var s = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket = s;
            if (localAddress is not null)
            {
                // IP_BIND_ADDRESS_NO_PORT: pick the port at connect() from the 4-tuple, not at bind(); a
                // port-0 bind searches the ephemeral range per call, which gets slow with many sockets.
                s.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
                s.Bind(new IPEndPoint(localAddress, 0));
            }
            await s.ConnectAsync(remote, ct).AsTask().WaitAsync(timeout, ct).ConfigureAwait(false);

            _welcomeTcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_o.Transport == LoadTransport.Ws)
            {
                _upgradeTcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
                var req = UpgradeRequest();
                _receiveLoop = ReceiveLoopAsync();
                await s.SendAsync(req, SocketFlags.None, ct).ConfigureAwait(false);
                if (!await _upgradeTcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false)) return Fail("upgrade refused");
            }
            else
            {
                _upgraded = true;
                _receiveLoop = ReceiveLoopAsync();
            }

            switch (_protocol)
            {
                case LoadProtocol.Primus:
                {
                    // browser client: open -> configure() -> detailsView, which may cross the welcome
                    var details = _o.Details ? RequestAsync(PrimusRequest("{\"event\":\"detailsView\",\"messageId\":", null), timeout, ct) : null;
                    await _welcomeTcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
                    if (details is not null && !(await details.ConfigureAwait(false)).ok) return Fail("detailsView failed");
                    if (join)
                    {
                        var r = await RequestAsync(PrimusRequest("{\"event\":\"roomAdd\",\"room\":\"", _roomJson), timeout, ct).ConfigureAwait(false);
                        if (!r.ok) return Fail("roomAdd: " + Short(r.text));
                        Joined = true;
                        if (_o.Details) await RequestAsync(PrimusRequest("{\"event\":\"detailsView\",\"messageId\":", null), timeout, ct).ConfigureAwait(false);
                    }
                    break;
                }
                case LoadProtocol.SignalR:
                {
                    await SendSetupAsync(WsText("{\"protocol\":\"json\",\"version\":1}\u001e"u8), ct).ConfigureAwait(false);
                    await _welcomeTcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
                    await SendSetupAsync(WsText(SrPing), ct).ConfigureAwait(false); // the JS client pings after its handshake
                    if (join)
                    {
                        var r = await RequestAsync(SignalRJoin(), timeout, ct).ConfigureAwait(false);
                        if (!r.ok) return Fail("JoinRoom: " + Short(r.text));
                        Joined = true;
                    }
                    break;
                }
                default:
                {
                    await _welcomeTcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
                    if (join)
                    {
                        var r = await RequestAsync(Line("roomAdd " + _o.RoomName(RoomIndex)), timeout, ct).ConfigureAwait(false);
                        if (!r.ok) return Fail("roomAdd: " + Short(r.text));
                        Joined = true;
                    }
                    break;
                }
            }
            Ok = true;
            return true;
        }
        catch (TimeoutException) { return Fail(_upgraded ? (Welcomed ? "timeout waiting for a reply" : "timeout waiting for the welcome") : "timeout connecting/upgrading"); }
        catch (SocketException e) { return Fail("socket: " + e.SocketErrorCode); }
        catch (OperationCanceledException) { return Fail("cancelled"); }
        catch (IOException e) { return Fail("io: " + e.Message); }
    }

    private bool Fail(string why)
    {
        _w.NoteError(why);
        try { _socket?.Dispose(); } catch (ObjectDisposedException) { }
        return false;
    }

    private static string Short(string s) => s.Length > 100 ? s[..100] : s;

    private byte[] UpgradeRequest()
    {
        var u = new Uri(_w.UrlFor(Index));
        Span<byte> keyBytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(keyBytes);
        var key = Convert.ToBase64String(keyBytes);
        _acceptExpected = WebSocketHandshake.ComputeAccept(key);
        var path = u.PathAndQuery;
        if (_protocol == LoadProtocol.Primus) // the Primus client's cache-buster, ignored by the servers
            path += (path.Contains('?') ? "&" : "?") + "_primuscb=" + _w.NextCacheBust();
        var host = u.Authority;
        return ClientFrames.UpgradeRequest(host, path, key, origin: "http://" + host);
    }

    private byte[] WsText(ReadOnlySpan<byte> payload) => ClientFrames.Masked(ClientFrames.OpText, payload, _mask);

    private static byte[] Line(string line) => Encoding.UTF8.GetBytes(line + "\n");

    /// <summary>A Primus request: <paramref name="head"/> (+ room + <c>","messageId":</c>) + id + <c>}</c>.</summary>
    private (byte[] frame, long id) PrimusRequest(string head, byte[]? room)
    {
        long id = Interlocked.Increment(ref _requestId);
        var text = room is null
            ? head + id.ToString(CultureInfo.InvariantCulture) + "}"
            : head + Encoding.UTF8.GetString(room) + "\",\"messageId\":" + id.ToString(CultureInfo.InvariantCulture) + "}";
        return (WsText(Encoding.UTF8.GetBytes(text)), id);
    }

    private (byte[] frame, long id) SignalRJoin()
    {
        long id = Interlocked.Increment(ref _requestId) - 1; // the JS client counts from 0
        var text = "{\"target\":\"JoinRoom\",\"arguments\":[\"" + Encoding.UTF8.GetString(_roomJson) + "\"],\"invocationId\":\"" +
                   id.ToString(CultureInfo.InvariantCulture) + "\",\"type\":1}\u001e";
        return (WsText(Encoding.UTF8.GetBytes(text)), id);
    }

    /// <summary>--create-rooms: the createChatRoom action as the browser client (or a TCP client) sends it.</summary>
    public Task<(bool ok, string text)> CreateRoomAsync(string name, TimeSpan timeout, CancellationToken ct)
    {
        if (_protocol == LoadProtocol.Line)
            return RequestAsync(Line("{\"action\":\"createChatRoom\",\"params\":{\"name\":\"" + name + "\"}}"), timeout, ct);
        return RequestAsync(PrimusRequest("{\"event\":\"action\",\"params\":{\"name\":\"" + name + "\",\"action\":\"createChatRoom\"},\"messageId\":", null), timeout, ct);
    }

    private Task<(bool ok, string text)> RequestAsync(byte[] line, TimeSpan timeout, CancellationToken ct) => RequestAsync((line, -1L), timeout, ct);

    private async Task<(bool ok, string text)> RequestAsync((byte[] frame, long id) req, TimeSpan timeout, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<(bool, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _replyId, req.id);
        Volatile.Write(ref _replyTcs, tcs);
        await SendSetupAsync(req.frame, ct).ConfigureAwait(false);
        return await tcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
    }

    private async Task SendSetupAsync(byte[] bytes, CancellationToken ct)
    {
        LastSendUs = ProcStats.NowMicros();
        await _socket!.SendAsync(bytes, SocketFlags.None, ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ sending (hot in window mode)

    /// <summary>Sends one say with the load body; false when skipped (not ready, or the socket is backed up).</summary>
    public bool SendSay(long nowMicros)
    {
        var s = _socket;
        if (s is null || !Ok || Closing) return false;
        if (Volatile.Read(ref _pendingSends) > MaxPendingSends) { _w.CountSkippedBuffered(); return false; }
        long id = Interlocked.Increment(ref _requestId);
        int cap = MaxHeader + 96 + _roomJson.Length + BodyMarker.MaxUnpaddedLength + _o.Payload;
        var buf = ArrayPool<byte>.Shared.Rent(cap);
        var p = buf.AsSpan(MaxHeader);
        int n;
        switch (_protocol)
        {
            case LoadProtocol.Primus:
                n = Put(p, "{\"event\":\"say\",\"room\":\""u8, 0);
                n = Put(p, _roomJson, n);
                n = Put(p, "\",\"message\":\""u8, n);
                n += BodyMarker.Write(p[n..], Index, nowMicros, _o.Payload);
                n = Put(p, "\",\"messageId\":"u8, n);
                Utf8Formatter.TryFormat(id, p[n..], out int w);
                n += w;
                p[n++] = (byte)'}';
                break;
            case LoadProtocol.SignalR:
                n = Put(p, "{\"target\":\"Say\",\"arguments\":[\""u8, 0);
                n = Put(p, _roomJson, n);
                n = Put(p, "\",\""u8, n);
                n += BodyMarker.Write(p[n..], Index, nowMicros, _o.Payload);
                n = Put(p, "\"],\"invocationId\":\""u8, n);
                Utf8Formatter.TryFormat(id - 1, p[n..], out w);
                n += w;
                n = Put(p, "\",\"type\":1}\u001e"u8, n);
                break;
            default:
                n = Put(p, "say "u8, 0);
                n = Put(p, _roomJson, n);
                p[n++] = (byte)' ';
                n += BodyMarker.Write(p[n..], Index, nowMicros, _o.Payload);
                p[n++] = (byte)'\n';
                break;
        }
        int offset = MaxHeader, length = n;
        if (_o.Transport == LoadTransport.Ws)
        {
            int h = ClientFrames.HeaderSize(n);
            offset = MaxHeader - h;
            length = ClientFrames.WrapMasked(buf.AsSpan(offset), ClientFrames.OpText, n, _mask);
        }
        Interlocked.Increment(ref Outstanding);
        if (nowMicros >= _w.MeasureUs) Interlocked.Increment(ref Sent); // warm-up says are not counted
        LastSendUs = nowMicros;
        Send(s, buf, offset, length);
        return true;
    }

    private static int Put(Span<byte> dest, ReadOnlySpan<byte> src, int at)
    {
        src.CopyTo(dest[at..]);
        return at + src.Length;
    }

    /// <summary>Sends bytes from a pooled buffer (returned when the send completes).</summary>
    private void Send(Socket s, byte[] pooled, int offset, int length)
    {
        ValueTask<int> vt;
        try { vt = s.SendAsync(pooled.AsMemory(offset, length), SocketFlags.None); }
        catch (ObjectDisposedException) { ArrayPool<byte>.Shared.Return(pooled); return; }
        catch (SocketException) { ArrayPool<byte>.Shared.Return(pooled); return; }
        if (vt.IsCompletedSuccessfully) { ArrayPool<byte>.Shared.Return(pooled); return; }
        Interlocked.Increment(ref _pendingSends);
        _ = AwaitSendAsync(vt, pooled);
    }

    private async Task AwaitSendAsync(ValueTask<int> vt, byte[] pooled)
    {
        try { await vt.ConfigureAwait(false); }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            Interlocked.Decrement(ref _pendingSends);
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    /// <summary>Masked text frame of <paramref name="payload"/>, sent without allocating (pongs, keep-alive pings).</summary>
    private void SendWsText(ReadOnlySpan<byte> payload, byte opcode = ClientFrames.OpText)
    {
        var s = _socket;
        if (s is null) return;
        int h = ClientFrames.HeaderSize(payload.Length);
        var buf = ArrayPool<byte>.Shared.Rent(h + payload.Length);
        payload.CopyTo(buf.AsSpan(h));
        int len = ClientFrames.WrapMasked(buf, opcode, payload.Length, _mask);
        Send(s, buf, 0, len);
    }

    /// <summary>SignalR keep-alive: the server drops a client that sent nothing for 30 s.</summary>
    public void KeepAlive(long nowMicros)
    {
        if (!Ok || Closing || _protocol != LoadProtocol.SignalR) return;
        LastSendUs = nowMicros;
        SendWsText(SrPing);
    }

    // ------------------------------------------------------------------ receiving

    private async Task ReceiveLoopAsync()
    {
        var s = _socket!;
        try
        {
            while (true)
            {
                if (_end == _buf.Length)
                {
                    if (_start > 0)
                    {
                        Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                        _end -= _start;
                        _start = 0;
                    }
                    else Array.Resize(ref _buf, _buf.Length * 2); // one frame larger than the buffer
                }
                int n = await s.ReceiveAsync(_buf.AsMemory(_end), SocketFlags.None).ConfigureAwait(false);
                if (n == 0) break;
                _end += n;
                if (!Process(ProcStats.NowMicros())) break;
                if (_start == _end) _start = _end = 0;
                else if (_start > _buf.Length / 2)
                {
                    Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
            }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            if (!Closing) _w.CountClosedEarly(Ok);
            _upgradeTcs?.TrySetResult(false);
            _welcomeTcs?.TrySetException(new IOException("connection closed by the server"));
            _replyTcs?.TrySetException(new IOException("connection closed by the server"));
        }
    }

    /// <summary>Consumes every complete frame or line in the buffer; false = stop reading (close or protocol error).</summary>
    private bool Process(long now)
    {
        if (!_upgraded)
        {
            var head = _buf.AsSpan(_start, _end - _start);
            int e = head.IndexOf(HeaderEnd);
            if (e < 0) return true;
            var text = Encoding.ASCII.GetString(head[..e]);
            _start += e + 4;
            bool ok = text.StartsWith("HTTP/1.1 101", StringComparison.Ordinal)
                      && text.Contains(_acceptExpected!, StringComparison.Ordinal);
            if (!ok) _w.NoteError("upgrade: " + Short(text.Split('\r')[0]));
            _upgraded = ok;
            _upgradeTcs!.TrySetResult(ok);
            if (!ok) return false;
        }
        var stats = WorkerStats.Current;
        if (_o.Transport == LoadTransport.Tcp)
        {
            while (true)
            {
                var rest = _buf.AsSpan(_start, _end - _start);
                int nl = rest.IndexOf((byte)'\n');
                if (nl < 0) return true;
                var line = rest[..nl];
                _start += nl + 1;
                if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
                if (line.Length > 0) OnMessage(line, now, stats);
            }
        }
        while (true)
        {
            var rest = _buf.AsSpan(_start, _end - _start);
            if (!ClientFrames.TryReadHeader(rest, out int h, out long len, out byte op, out bool fin, out bool masked)) return true;
            if (len > int.MaxValue / 2) { _w.NoteError("frame too large"); return false; }
            if (rest.Length < h + len)
            {
                if (h + len > _buf.Length) // make room for a frame larger than the buffer
                {
                    var bigger = new byte[Math.Max(_buf.Length * 2, (int)(h + len) + 1024)];
                    Buffer.BlockCopy(_buf, _start, bigger, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                    _buf = bigger;
                }
                return true;
            }
            var payload = _buf.AsSpan(_start + h, (int)len);
            if (masked) { _w.NoteError("masked server frame"); return false; }
            _start += h + (int)len;
            stats.WsMessages++;
            switch (op)
            {
                case ClientFrames.OpText or ClientFrames.OpBinary when fin && _frag is null:
                    OnMessage(payload, now, stats);
                    break;
                case ClientFrames.OpText or ClientFrames.OpBinary or ClientFrames.OpContinuation:
                    AppendFragment(payload);
                    if (fin)
                    {
                        OnMessage(_frag.AsSpan(0, _fragLen), now, stats);
                        _frag = null;
                        _fragLen = 0;
                    }
                    break;
                case ClientFrames.OpPing:
                    SendWsText(payload, ClientFrames.OpPong);
                    break;
                case ClientFrames.OpClose:
                    if (!Closing) _w.NoteError("server sent close");
                    return false;
            }
        }
    }

    private void AppendFragment(ReadOnlySpan<byte> part)
    {
        _frag ??= new byte[Math.Max(1024, part.Length)];
        if (_fragLen + part.Length > _frag.Length) Array.Resize(ref _frag, Math.Max(_frag.Length * 2, _fragLen + part.Length));
        part.CopyTo(_frag.AsSpan(_fragLen));
        _fragLen += part.Length;
    }

    /// <summary>One websocket message or one line.</summary>
    private void OnMessage(ReadOnlySpan<byte> m, long now, WorkerStats stats)
    {
        if (_protocol == LoadProtocol.SignalR) { OnSignalR(m, now, stats); return; }
        int mk = BodyMarker.Find(m);
        if (mk >= 0)
        {
            // an error reply echoes the say body: {"status":"Error: …"} (websocket) or {"error":…} (TCP)
            if (m.StartsWith(StatusPrefix) || m.StartsWith(ErrorPrefix)) { stats.SayErrors++; _w.NoteError("say error: " + Short(Encoding.UTF8.GetString(m))); return; }
            OnDelivery(m, mk, now, stats);
            return;
        }
        if (m.Length > 0 && m[0] == '"')
        {
            if (m.StartsWith(PrimusPing)) // answer "primus::ping::<t>" with "primus::pong::<t>"
            {
                stats.Pings++;
                Span<byte> pong = stackalloc byte[m.Length];
                m.CopyTo(pong);
                "\"primus::pong::"u8.CopyTo(pong);
                SendWsText(pong);
            }
            return;
        }
        if (m.StartsWith(WelcomePrefix))
        {
            OnWelcome(now);
            return;
        }
        if (m.IndexOf(ResponseContext) >= 0)
        {
            bool error = m.StartsWith(ErrorPrefix) || m.IndexOf(ErrorKey) >= 0;
            long id = -1;
            if (_protocol == LoadProtocol.Primus)
            {
                int k = m.IndexOf(MessageIdKey);
                if (k >= 0) Utf8Parser.TryParse(m[(k + MessageIdKey.Length)..], out id, out _);
            }
            CompleteReply(id, !error, m, stats);
            return;
        }
        stats.OtherFrames++;
        if (stats.OtherFrames <= 3) _w.NoteError("other frame: " + Short(Encoding.UTF8.GetString(m)));
    }

    private void OnSignalR(ReadOnlySpan<byte> m, long now, WorkerStats stats)
    {
        while (m.Length > 0)
        {
            int end = m.IndexOf((byte)0x1e);
            if (end < 0) { _w.NoteError("partial hub record"); return; }
            var r = m[..end];
            m = m[(end + 1)..];
            stats.Records++;
            if (!_srHandshakeDone)
            {
                _srHandshakeDone = true;
                if (r.IndexOf(ErrorKey) >= 0) { _w.NoteError("handshake: " + Short(Encoding.UTF8.GetString(r))); _welcomeTcs?.TrySetException(new IOException("handshake refused")); }
                else OnWelcome(now);
                continue;
            }
            int type = r.Length > 9 && r.StartsWith(TypePrefix) ? r[8] - '0' : -1;
            if (type == 1)
            {
                int mk = BodyMarker.Find(r);
                if (mk >= 0) OnDelivery(r, mk, now, stats);
                else { stats.OtherFrames++; if (stats.OtherFrames <= 3) _w.NoteError("other invocation: " + Short(Encoding.UTF8.GetString(r))); }
            }
            else if (type == 6) stats.Pings++;
            else if (type == 3)
            {
                long id = -1;
                int k = r.IndexOf(InvocationIdKey);
                if (k >= 0) Utf8Parser.TryParse(r[(k + InvocationIdKey.Length)..], out id, out _);
                CompleteReply(id, r.IndexOf(ErrorKey) < 0, r, stats);
            }
            else if (type == 7) _w.NoteError("server close message: " + Short(Encoding.UTF8.GetString(r)));
            else { stats.OtherFrames++; if (stats.OtherFrames <= 3) _w.NoteError("other record: " + Short(Encoding.UTF8.GetString(r))); }
        }
    }

    private void OnWelcome(long now)
    {
        if (Welcomed) return;
        Welcomed = true;
        WelcomeUs = now;
        _w.RecordWelcome(now - StartUs);
        _welcomeTcs?.TrySetResult(true);
    }

    private void CompleteReply(long id, bool ok, ReadOnlySpan<byte> text, WorkerStats stats)
    {
        var tcs = Volatile.Read(ref _replyTcs);
        long want = Volatile.Read(ref _replyId);
        if (tcs is not null && (want < 0 || want == id))
        {
            _replyTcs = null;
            LastReplyCreated = text.IndexOf("\"didCreate\":true"u8) >= 0;
            tcs.TrySetResult((ok, Encoding.UTF8.GetString(text)));
            return;
        }
        if (ok) stats.Acked++;
        else
        {
            stats.AckErrors++;
            _w.NoteError("reply error: " + Short(Encoding.UTF8.GetString(text)));
        }
    }

    private void OnDelivery(ReadOnlySpan<byte> m, int mk, long now, WorkerStats stats)
    {
        if (!BodyMarker.TryRead(m, mk, out int sender, out long sentUs)) { stats.OtherFrames++; return; }
        if (sentUs >= _w.MeasureUs) // a warm-up say is not counted (the measured window starts later)
        {
            stats.Latency.Record(now - sentUs);
            stats.Received++;
            if (now <= _w.EndUs) stats.ReceivedInWindow++;
            stats.LastDeliveryUs = now;
        }
        if (sender == Index)
        {
            Interlocked.Decrement(ref Outstanding);
            LastEchoUs = now;
            if (_w.WindowMode && _w.Running && now < _w.EndUs) SendSay(ProcStats.NowMicros());
        }
    }

    // ------------------------------------------------------------------ closing

    /// <summary>Polite close: SignalR close message, websocket close frame (or nothing for TCP), then wait up to
    /// <paramref name="timeout"/> for the server to close, then drop the socket.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        Closing = true;
        var s = _socket;
        if (s is null) return;
        try
        {
            if (Ok && _o.Transport == LoadTransport.Ws)
            {
                if (_protocol == LoadProtocol.SignalR) SendWsText("{\"type\":7}\u001e"u8);
                SendWsText([], ClientFrames.OpClose);
                if (_receiveLoop is not null) await _receiveLoop.WaitAsync(timeout).ConfigureAwait(false);
            }
        }
        catch (TimeoutException) { }
        finally
        {
            try { s.Dispose(); } catch (ObjectDisposedException) { }
        }
        if (_receiveLoop is not null) { try { await _receiveLoop.ConfigureAwait(false); } catch (Exception) { } }
    }

}
