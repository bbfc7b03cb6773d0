using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ChatCluster.Bench.Load;

/// <summary>What a worker reports after setup.</summary>
public sealed record ReadyInfo(int Ok, int Failed, int Joined, int Senders, long[] MembersPerRoom, long FirstStartUs, long LastReadyUs);

/// <summary>Progress of a worker (cheap; polled every second).</summary>
public sealed record StatsInfo(long Received, long LastDeliveryUs, long Sent, bool Done);

/// <summary>Says sent per room once sending stopped.</summary>
public sealed record SentInfo(long Sent, long[] SentPerRoom);

/// <summary>Everything a worker counted; the parent adds the reports of all workers.</summary>
public sealed record WorkerReport(
    long Received, long ReceivedInWindow, long Acked, long AckErrors, long SayErrors, long Pings, long OtherFrames,
    long WsMessages, long Records, long LastDeliveryUs,
    long SkippedBehind, long SkippedBuffered, long WindowTimeouts, long ClosedEarly, long Welcomed,
    long[] Latency, long LatencyMax, long[] Welcome, long WelcomeMax, long[] Lag, long LagMax,
    Dictionary<string, long> Errors);

/// <summary>
/// The clients of one process: client i belongs to the worker with i % ChildCount == ChildIndex (so senders
/// and rooms spread over processes). Runs setup, the send loop (open-loop rate or window), keep-alives,
/// and a scheduling-lag probe (the tool's analogue of ahload's event-loop lag: when it grows, the tool,
/// not the server, is the limit).
/// </summary>
internal sealed class LoadWorker
{
    private readonly List<LoadConnection> _conns = [];
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private readonly LatencyHistogram _welcome = new();
    private readonly LatencyHistogram _lag = new();
    private readonly TaskCompletionSource<SentInfo> _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private long _skippedBuffered, _skippedBehind, _windowTimeouts, _closedEarly;
    private int _cacheBust;
    private volatile bool _done;
    private long _t0;

    public LoadOptions Options { get; }
    public volatile bool Running;
    public bool WindowMode;
    public long EndUs = long.MaxValue;
    /// <summary>Start of the measured window (after the warm-up): says sent before it are not counted.</summary>
    public long MeasureUs;
    public Action<string> Log { get; }

    public LoadWorker(LoadOptions options, Action<string> log)
    {
        Options = options;
        Log = log;
        WorkerStats.StartNewRun();
    }

    public void NoteError(string why)
    {
        if (_errors.Count > 200 && !_errors.ContainsKey(why)) why = "(other errors)";
        _errors.AddOrUpdate(why, 1, static (_, v) => v + 1);
    }

    public void CountSkippedBuffered() => Interlocked.Increment(ref _skippedBuffered);
    public void CountClosedEarly(bool wasReady) { if (wasReady) Interlocked.Increment(ref _closedEarly); }

    public void RecordWelcome(long micros)
    {
        lock (_welcome) _welcome.Record(micros);
    }

    /// <summary>The Primus client's <c>_primuscb</c> cache-buster: unique per connection.</summary>
    public string NextCacheBust() => Environment.ProcessId.ToString("x") + "." + Interlocked.Increment(ref _cacheBust).ToString("x");

    /// <summary>The URL client <paramref name="index"/> connects to (several nodes: round-robin).</summary>
    public string UrlFor(int index)
    {
        var urls = Options.Urls;
        return urls[(index < 0 ? 0 : index) % urls.Length];
    }

    public EndPoint RemoteEndPoint(int index)
    {
        string host;
        int port;
        if (Options.Transport == LoadTransport.Tcp) { host = Options.Host; port = Options.Port; }
        else
        {
            var u = new Uri(UrlFor(index));
            host = u.Host;
            port = u.Port;
        }
        var ip = IPAddress.TryParse(host, out var a) ? a : Dns.GetHostAddresses(host).First(x => x.AddressFamily == AddressFamily.InterNetwork);
        return new IPEndPoint(ip, port);
    }

    // ------------------------------------------------------------------ setup

    public async Task<ReadyInfo> SetupAsync()
    {
        var o = Options;
        int me = Math.Max(0, o.ChildIndex), count = o.ChildCount;
        var mine = new List<int>();
        for (int i = me; i < o.Clients; i += count) mine.Add(i);
        var urls = Options.Urls;
        var remotes = new EndPoint[Math.Max(1, urls.Length)];
        for (int k = 0; k < remotes.Length; k++) remotes[k] = RemoteEndPoint(k);
        int lanes = Math.Max(1, (o.Concurrency + count - 1) / count);
        int next = 0, ok = 0, failed = 0;
        long lastReady = 0;
        var tasks = new Task[Math.Min(lanes, Math.Max(1, mine.Count))];
        using var progress = new Timer(_ => Log($"setup: {Volatile.Read(ref ok)}/{mine.Count} ready, {Volatile.Read(ref failed)} failed"), null, 1000, 1000);
        for (int l = 0; l < tasks.Length; l++)
        {
            tasks[l] = Task.Run(async () =>
            {
                while (true)
                {
                    int k = Interlocked.Increment(ref next) - 1;
                    if (k >= mine.Count) return;
                    int i = mine[k];
                    var c = new LoadConnection(this, i);
                    lock (_conns) _conns.Add(c);
                    var local = o.LocalAddresses.Length > 0 ? o.LocalAddresses[i % o.LocalAddresses.Length] : null;
                    if (await c.SetupAsync(local, remotes[i % remotes.Length], o.Joins, _stop.Token).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref ok);
                        long now = ProcStats.NowMicros();
                        long seen;
                        while ((seen = Volatile.Read(ref lastReady)) < now && Interlocked.CompareExchange(ref lastReady, now, seen) != seen) { }
                    }
                    else Interlocked.Increment(ref failed);
                }
            });
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        _conns.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        if (o.WireProtocol == LoadProtocol.SignalR && o.KeepAlive > 0) _ = KeepAliveLoopAsync();

        var members = new long[o.RoomCount];
        int joined = 0, senders = 0;
        long firstStart = long.MaxValue;
        foreach (var c in _conns)
        {
            if (c.StartUs > 0 && c.StartUs < firstStart) firstStart = c.StartUs;
            if (!c.Ok || !c.Joined) continue;
            joined++;
            members[c.RoomIndex]++;
            if (o.IsSender(c.Index)) senders++;
        }
        return new ReadyInfo(ok, failed, joined, senders, members, firstStart == long.MaxValue ? 0 : firstStart, lastReady);
    }

    /// <summary>--create-rooms: one connection asks for room0..room(K-1); rooms that exist are left alone.</summary>
    public async Task<(int created, int existed, int errors)> CreateRoomsAsync()
    {
        var o = Options;
        var c = new LoadConnection(this, -1);
        if (!await c.SetupAsync(null, RemoteEndPoint(0), join: false, _stop.Token).ConfigureAwait(false)) return (0, 0, o.Rooms);
        int created = 0, existed = 0, errors = 0;
        for (int r = 0; r < o.Rooms; r++)
        {
            try
            {
                var (ok, text) = await c.CreateRoomAsync(o.RoomName(r), TimeSpan.FromSeconds(o.SetupTimeout), _stop.Token).ConfigureAwait(false);
                if (!ok) errors++;
                else if (c.LastReplyCreated) created++;
                else existed++;
            }
            catch (TimeoutException) { errors++; }
        }
        await c.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return (created, existed, errors);
    }

    // ------------------------------------------------------------------ sending

    public void Start(long t0, double rate)
    {
        var o = Options;
        _t0 = t0;
        MeasureUs = t0 + (long)(o.Warmup * 1e6);
        EndUs = MeasureUs + (long)(o.Seconds * 1e6);
        WindowMode = !(rate > 0);
        var senders = new List<LoadConnection>();
        foreach (var c in _conns)
            if (c.Ok && c.Joined && o.IsSender(c.Index)) senders.Add(c);
        var thread = new Thread(() => SendLoop(senders.ToArray(), rate)) { IsBackground = true, Name = "load-send" };
        thread.Start();
        _ = LagProbeAsync();
    }

    private void SendLoop(LoadConnection[] senders, double rate)
    {
        var o = Options;
        while (ProcStats.NowMicros() < _t0) Thread.Sleep(1);
        Running = true;
        if (senders.Length > 0 && WindowMode)
        {
            long now = ProcStats.NowMicros();
            foreach (var c in senders)
                for (int k = 0; k < o.Window; k++) c.SendSay(now);
            // a lost message must not shrink a window forever
            while ((now = ProcStats.NowMicros()) < EndUs)
            {
                Thread.Sleep(Math.Max(1, (int)Math.Min(500, (EndUs - now) / 1000)));
                now = ProcStats.NowMicros();
                if (now >= EndUs) break;
                foreach (var c in senders)
                {
                    if (Volatile.Read(ref c.Outstanding) > 0 && now - Math.Max(c.LastEchoUs, _t0) > 5_000_000)
                    {
                        Interlocked.Increment(ref _windowTimeouts);
                        Volatile.Write(ref c.Outstanding, 0);
                        c.LastEchoUs = now;
                        for (int k = 0; k < o.Window; k++) c.SendSay(now);
                    }
                }
            }
        }
        else if (senders.Length > 0)
        {
            // open loop at `rate` says/s round-robin over the senders; more than 100 ms behind schedule:
            // skip (and count) instead of bursting, as ahload.js does
            long due0 = 0;
            int rr = 0;
            const long maxLagUs = 100_000;
            while (true)
            {
                long now = ProcStats.NowMicros();
                long tt = Math.Min(now, EndUs);
                long due = (long)((tt - _t0) * rate / 1e6);
                long floor = (long)((tt - maxLagUs - _t0) * rate / 1e6);
                if (due0 < floor) { _skippedBehind += floor - due0; due0 = floor; }
                while (due0 < due)
                {
                    due0++;
                    senders[rr].SendSay(now);
                    rr = rr + 1 == senders.Length ? 0 : rr + 1;
                }
                if (now >= EndUs) break;
                Thread.Sleep(1);
            }
        }
        else
        {
            while (ProcStats.NowMicros() < EndUs) Thread.Sleep(10);
        }
        Running = false;
        Thread.Sleep(20); // sends racing the end of the window finish counting
        var perRoom = new long[o.RoomCount];
        long sent = 0;
        foreach (var c in senders)
        {
            long s = Volatile.Read(ref c.Sent);
            perRoom[c.RoomIndex] += s;
            sent += s;
        }
        _done = true;
        _sent.TrySetResult(new SentInfo(sent, perRoom));
    }

    public Task<SentInfo> SentAsync() => _sent.Task;

    /// <summary>How late a 10 ms timer fires on the thread pool while sending (pressure on the tool).</summary>
    private async Task LagProbeAsync()
    {
        while (ProcStats.NowMicros() < MeasureUs) await Task.Delay(5).ConfigureAwait(false);
        while (!_done)
        {
            long a = ProcStats.NowMicros();
            await Task.Delay(10).ConfigureAwait(false);
            long late = ProcStats.NowMicros() - a - 10_000;
            lock (_lag) _lag.Record(Math.Max(0, late));
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        long limit = (long)(Options.KeepAlive * 1e6);
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(1000, _stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            long now = ProcStats.NowMicros();
            foreach (var c in _conns)
                if (c.Ok && now - c.LastSendUs > limit) c.KeepAlive(now);
        }
    }

    // ------------------------------------------------------------------ reporting

    public StatsInfo Stats()
    {
        var (received, last) = WorkerStats.ReceivedSoFar();
        long sent = 0;
        foreach (var c in _conns) sent += Volatile.Read(ref c.Sent);
        return new StatsInfo(received, last, sent, _done);
    }

    public WorkerReport Report()
    {
        var lat = new LatencyHistogram();
        long received = 0, inWindow = 0, acked = 0, ackErrors = 0, sayErrors = 0, pings = 0, other = 0, ws = 0, records = 0, last = 0;
        foreach (var s in WorkerStats.All())
        {
            lat.Add(s.Latency);
            received += s.Received; inWindow += s.ReceivedInWindow; acked += s.Acked; ackErrors += s.AckErrors;
            sayErrors += s.SayErrors; pings += s.Pings; other += s.OtherFrames; ws += s.WsMessages; records += s.Records;
            last = Math.Max(last, s.LastDeliveryUs);
        }
        long welcomed = 0;
        foreach (var c in _conns) if (c.Welcomed) welcomed++;
        lock (_welcome)
        lock (_lag)
            return new WorkerReport(received, inWindow, acked, ackErrors, sayErrors, pings, other, ws, records, last,
                _skippedBehind, Interlocked.Read(ref _skippedBuffered), Interlocked.Read(ref _windowTimeouts), Interlocked.Read(ref _closedEarly), welcomed,
                lat.Counts, lat.MaxMicros, (long[])_welcome.Counts.Clone(), _welcome.MaxMicros, (long[])_lag.Counts.Clone(), _lag.MaxMicros,
                new Dictionary<string, long>(_errors));
    }

    public async Task CloseAsync()
    {
        _stop.Cancel();
        var tasks = new Task[_conns.Count];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = _conns[i].CloseAsync(TimeSpan.FromSeconds(5));
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}
