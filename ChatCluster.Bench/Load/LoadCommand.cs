using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench.Load;

/// <summary>
/// The verbs fanout, rooms and connect: set up the clients (in this process or spread over child
/// processes), run the scenario, print ONE JSON line on stdout and a short summary on stderr. The JSON
/// keeps ahload.js's nested objects (params, results, cpu, connect, memory, generatorEventLoopMs) next to
/// the flat fields, so the peers' compare.js / summarize.js read our lines too.
/// </summary>
public static class LoadCommand
{
    private static long ToolStartUs = ProcStats.NowMicros();
    private static readonly JsonSerializerOptions JsonOut = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void Log(string msg) =>
        Console.Error.WriteLine($"[cc-load {(ProcStats.NowMicros() - ToolStartUs) / 1e6:F1}s] {msg}");

    /// <summary>
    /// Run socket continuations on the epoll thread instead of hopping to the thread pool: the receive path never
    /// blocks, and the hop cost more than half the tool's throughput (204k vs 458k deliveries/s measured on 2 cores).
    /// Read once by the socket engine, so the command line sets it before the first socket; an explicit setting in the
    /// environment wins. Child processes inherit it.
    /// </summary>
    public static void PreferInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
    }

    /// <summary>Runs a load verb; the JSON line goes to <paramref name="resultOut"/> (default stdout). Embedded callers
    /// (the tests) pass a writer: a hard timeout then ends the run with an error line instead of exiting the process.</summary>
    public static async Task<int> RunAsync(string scenario, string[] args, TextWriter? resultOut = null)
    {
        ToolStartUs = ProcStats.NowMicros();
        LoadOptions o;
        try { o = LoadOptions.Parse(scenario, args); }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(LoadOptions.Usage);
            return 2;
        }
        if (o.Help) { Console.Error.WriteLine(LoadOptions.Usage); return 0; }
        if (o.IsChild) return ChildWorkerHandle.ChildMain(o);

        var result = new JsonObject();
        var printed = 0;
        void Emit()
        {
            if (Interlocked.Exchange(ref printed, 1) == 0) (resultOut ?? Console.Out).WriteLine(result.ToJsonString(JsonOut));
        }
        using var hardStop = new Timer(_ =>
        {
            result["error"] = $"hard timeout after {o.Timeout}s";
            Emit();
            if (resultOut is null) Environment.Exit(3);
        }, null, TimeSpan.FromSeconds(o.Timeout), Timeout.InfiniteTimeSpan);

        try
        {
            return await RunScenarioAsync(o, scenario, args, result, Emit).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            result["error"] = e.Message;
            Emit();
            Log("failed: " + e);
            return 1;
        }
    }

    private static async Task<int> RunScenarioAsync(LoadOptions o, string scenario, string[] args, JsonObject result, Action emit)
    {
        result["scenario"] = scenario;
        result["label"] = o.Label.Length > 0 ? o.Label : null;
        result["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        result["transport"] = o.TransportName;
        result["protocol"] = o.ProtocolName;
        result["url"] = o.Target;
        result["clients"] = o.Clients;
        result["senders"] = scenario == "connect" ? 0 : o.EffectiveSenders;
        result["rooms"] = o.RoomCount;
        result["rate"] = scenario == "connect" ? null : o.EffectiveRate;
        result["window"] = scenario != "connect" && o.EffectiveRate == 0 ? o.Window : null;
        result["seconds"] = scenario == "connect" ? null : o.Seconds;
        result["payload"] = o.Payload;
        result["processes"] = o.Processes;
        result["localAddresses"] = o.LocalAddresses.Length;
        result["inlineCompletions"] = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";
        result["details"] = o.WireProtocol == LoadProtocol.Primus ? o.Details : null;
        result["host"] = new JsonObject
        {
            ["cpus"] = Environment.ProcessorCount, ["dotnet"] = Environment.Version.ToString(),
            ["loadavg1Before"] = ProcStats.LoadAverage1(), ["calibMsBefore"] = Calibrate(),
        };

        var perProcess = (o.Clients + o.Processes - 1) / o.Processes;
        if (perProcess > 19_500)
            Log($"warning: {perProcess} connections per process is close to the 20,000 open files limit; use --processes");

        if (o.CreateRooms && scenario == "rooms")
        {
            if (o.WireProtocol == LoadProtocol.SignalR) Log("--create-rooms: SignalR groups need no creation, skipped");
            else
            {
                var (created, existed, errors) = await new LoadWorker(o, Log).CreateRoomsAsync().ConfigureAwait(false);
                result["createRooms"] = new JsonObject { ["created"] = created, ["existed"] = existed, ["errors"] = errors };
                Log($"create-rooms: {created} created, {existed} existed, {errors} errors");
            }
        }

        // ---- connect warm-up: set up and close connections that are not counted
        if (scenario == "connect" && o.WarmupClients > 0)
        {
            var warm = new LoadWorker(o.ForWarmup(o.WarmupClients), Log);
            var w = await warm.SetupAsync().ConfigureAwait(false);
            await warm.CloseAsync().ConfigureAwait(false);
            result["warmup"] = new JsonObject { ["clients"] = o.WarmupClients, ["ok"] = w.Ok, ["failed"] = w.Failed };
            Log($"warm-up: {w.Ok} connections set up and closed ({w.Failed} failed)");
            await Task.Delay(1000).ConfigureAwait(false); // the server finishes its closes before the RSS baseline
        }

        // ---- workers
        var workers = new IWorkerHandle[o.Processes];
        if (o.Processes == 1) workers[0] = new LocalWorkerHandle(new LoadWorker(o, Log));
        else for (int i = 0; i < o.Processes; i++) workers[i] = new ChildWorkerHandle(scenario, args, i, o.Processes);
        var toolPids = new List<int> { Environment.ProcessId };
        foreach (var w in workers) if (w.ChildPid is int p) toolPids.Add(p);

        // ---- setup (connect, welcome, join)
        long? rssBefore = ProcStats.RssKb(o.Pids);
        var setupServer = o.Pids.Length > 0 ? new ProcStats.CpuSampler(o.Pids) : null;
        var setupTool = new ProcStats.CpuSampler(toolPids.ToArray());
        var setupMachine = new ProcStats.MachineSampler();
        long setupT0 = ProcStats.NowMicros();
        Log($"{scenario}: setting up {o.Clients} {o.TransportName}/{o.ProtocolName} clients on {o.Target} ({o.Processes} process(es), concurrency {o.Concurrency})");
        var ready = await Task.WhenAll(Array.ConvertAll(workers, w => w.SetupAsync())).ConfigureAwait(false);
        long setupT1 = ProcStats.NowMicros();
        int ok = 0, failed = 0, totalSenders = 0;
        long firstStart = long.MaxValue, lastReady = 0;
        var members = new long[o.RoomCount];
        foreach (var r in ready)
        {
            ok += r.Ok; failed += r.Failed; totalSenders += r.Senders;
            if (r.FirstStartUs > 0) firstStart = Math.Min(firstStart, r.FirstStartUs);
            lastReady = Math.Max(lastReady, r.LastReadyUs);
            for (int k = 0; k < members.Length; k++) members[k] += r.MembersPerRoom[k];
        }
        double setupSec = lastReady > firstStart ? (lastReady - firstStart) / 1e6 : 0;
        var setupServerPct = setupServer?.Percent();
        var setupToolPct = setupTool.Percent();
        var setupMachineJ = setupMachine.Sample();
        result["setup"] = new JsonObject
        {
            ["ok"] = ok, ["failed"] = failed, ["seconds"] = Math.Round((setupT1 - setupT0) / 1e6, 3),
            ["perSec"] = setupSec > 0 ? Math.Round(ok / setupSec, 1) : null,
            ["serverCpuPct"] = setupServerPct, ["generatorCpuPct"] = setupToolPct, ["machine"] = setupMachineJ,
            ["otherPct"] = ProcStats.MachineSampler.Others(setupMachineJ, setupServerPct, setupToolPct),
        };
        Log($"setup: {ok} ok, {failed} failed in {(setupT1 - setupT0) / 1e6:F2}s");

        if (scenario == "connect")
        {
            await Task.Delay(TimeSpan.FromSeconds(o.Hold)).ConfigureAwait(false);
            long? rssAfter = ProcStats.RssKb(o.Pids);
            var rep = Merge(await Task.WhenAll(Array.ConvertAll(workers, w => w.ReportAsync())).ConfigureAwait(false));
            var welcome = new LatencyHistogram(rep.Welcome, rep.WelcomeMax).Summary();
            double? perConn = rssBefore is long b && rssAfter is long a && ok > 0 ? Math.Round((double)(a - b) / ok, 2) : null;
            double? cps = setupSec > 0 ? Math.Round(ok / setupSec, 1) : null;
            result["connect"] = new JsonObject
            {
                ["concurrency"] = o.Concurrency, ["ok"] = ok, ["failed"] = failed, ["welcomed"] = rep.Welcomed,
                ["connPerSec"] = cps, ["seconds"] = Math.Round(setupSec, 3),
                ["timeToWelcomeMsP50"] = welcome["p50"]?.DeepClone(), ["timeToWelcomeMsP99"] = welcome["p99"]?.DeepClone(),
                ["timeToWelcomeMs"] = welcome,
                ["serverCpuPct"] = setupServerPct, ["generatorCpuPct"] = setupToolPct, ["machine"] = setupMachineJ?.DeepClone(),
                ["otherPct"] = ProcStats.MachineSampler.Others(setupMachineJ, setupServerPct, setupToolPct),
            };
            result["server"] = new JsonObject { ["pid"] = o.Pids.Length > 0 ? string.Join(",", o.Pids) : null, ["cpuPct"] = setupServerPct, ["rssKbBefore"] = rssBefore, ["rssKbAfter"] = rssAfter };
            result["tool"] = new JsonObject { ["name"] = "ChatCluster.Bench", ["cpuPct"] = setupToolPct, ["processes"] = o.Processes };
            result["memory"] = new JsonObject
            {
                ["pid"] = o.Pids.Length > 0 ? string.Join(",", o.Pids) : null, ["rssBeforeKb"] = rssBefore, ["rssAfterKb"] = rssAfter,
                ["hwmAfterKb"] = ProcStats.StatusKb(o.Pids, "VmHWM"), ["rssPerConnKb"] = perConn,
            };
            AddErrors(result, rep);
            long tClose = ProcStats.NowMicros();
            await Task.WhenAll(Array.ConvertAll(workers, w => w.CloseAsync())).ConfigureAwait(false);
            result["closeSeconds"] = Math.Round((ProcStats.NowMicros() - tClose) / 1e6, 3);
            if (o.Pid > 0)
            {
                await Task.Delay(1000).ConfigureAwait(false);
                result["memory"]!["rssAfterCloseKb"] = ProcStats.RssKb(o.Pids);
            }
            FinishHost(result);
            emit();
            Console.Error.WriteLine($"connect {o.TransportName}/{o.ProtocolName} {o.Target}: {ok} ok, {failed} failed, {cps:N0} conn/s, " +
                                    $"welcome p50 {welcome["p50"]} ms p99 {welcome["p99"]} ms, RSS/conn {perConn} kB, server CPU {setupServerPct}%, tool CPU {setupToolPct}%");
            return 0;
        }

        // ---- fanout / rooms
        double totalRate = o.EffectiveRate > 0 ? (scenario == "fanout" ? o.EffectiveRate : o.EffectiveRate * totalSenders) : 0;
        result["params"] = new JsonObject
        {
            ["senders"] = o.EffectiveSenders, ["activeSenders"] = totalSenders, ["rooms"] = o.RoomCount,
            ["room"] = scenario == "fanout" ? o.Room : $"{o.RoomPrefix}0..{o.RoomCount - 1}",
            ["membersPerRoom"] = scenario == "fanout" ? members[0] : Math.Round((double)Sum(members) / o.RoomCount, 2),
            ["rate"] = o.EffectiveRate, ["window"] = o.EffectiveRate > 0 ? null : o.Window,
            ["rateMeaning"] = o.EffectiveRate > 0 ? (scenario == "fanout" ? "says/s total" : "says/s per client") : $"as fast as possible, window {o.Window}/sender",
            ["seconds"] = o.Seconds, ["warmupSeconds"] = o.Warmup, ["payload"] = o.Payload,
        };
        long t0 = ProcStats.NowMicros() + 200_000; // common start, 200 ms from now
        long m0 = t0 + (long)(o.Warmup * 1e6);    // the measured window starts after the warm-up
        Log($"sending for {(o.Warmup > 0 ? $"{o.Warmup}s (warm-up, not counted) + " : "")}{o.Seconds}s at " +
            $"{(totalRate > 0 ? $"{totalRate} says/s" : $"max, window {o.Window}")} from {totalSenders} senders");
        for (int i = 0; i < workers.Length; i++)
            await workers[i].StartAsync(t0, totalSenders > 0 ? totalRate * ready[i].Senders / totalSenders : 0).ConfigureAwait(false);
        long untilMeasure = m0 - ProcStats.NowMicros();
        if (untilMeasure > 0) await Task.Delay(TimeSpan.FromMicroseconds(untilMeasure)).ConfigureAwait(false);
        // CPU over the measured window only
        var server = o.Pids.Length > 0 ? new ProcStats.CpuSampler(o.Pids) : null;
        var redis = o.RedisPid > 0 ? new ProcStats.CpuSampler(o.RedisPid) : null;
        var tool = new ProcStats.CpuSampler(toolPids.ToArray());
        var machine = new ProcStats.MachineSampler();

        long lastReceived = 0, lastTick = m0;
        while (true)
        {
            await Task.Delay(1000).ConfigureAwait(false);
            var st = await Task.WhenAll(Array.ConvertAll(workers, w => w.StatsAsync())).ConfigureAwait(false);
            long rec = 0, sentSoFar = 0;
            bool done = true;
            foreach (var s in st) { rec += s.Received; sentSoFar += s.Sent; done &= s.Done; }
            long now = ProcStats.NowMicros();
            if (now > m0) Log($"sent {sentSoFar:N0}, received {rec:N0} ({(rec - lastReceived) / ((now - lastTick) / 1e6):N0}/s)");
            lastReceived = rec;
            lastTick = now;
            if (done) break;
        }
        var cpu = new JsonObject
        {
            ["serverPct"] = server?.Percent(), ["redisPct"] = redis?.Percent(), ["generatorPct"] = tool.Percent(), ["machine"] = machine.Sample(),
        };
        cpu["otherPct"] = ProcStats.MachineSampler.Others((JsonObject?)cpu["machine"], (double?)cpu["serverPct"], (double?)cpu["redisPct"], (double?)cpu["generatorPct"]);
        long? rssAfterSend = ProcStats.RssKb(o.Pids);
        var sentInfos = await Task.WhenAll(Array.ConvertAll(workers, w => w.SentAsync())).ConfigureAwait(false);
        long sent = 0, expected = 0;
        var sentPerRoom = new long[o.RoomCount];
        foreach (var s in sentInfos) for (int k = 0; k < sentPerRoom.Length; k++) sentPerRoom[k] += s.SentPerRoom[k];
        for (int k = 0; k < sentPerRoom.Length; k++) { sent += sentPerRoom[k]; expected += sentPerRoom[k] * members[k]; }

        // ---- drain: until everything arrived, --drain-idle seconds without progress (2), or --drain seconds
        long drainT0 = ProcStats.NowMicros(), lastProgress = drainT0, seen = -1;
        while (true)
        {
            var st = await Task.WhenAll(Array.ConvertAll(workers, w => w.StatsAsync())).ConfigureAwait(false);
            long rec = 0;
            foreach (var s in st) rec += s.Received;
            long now = ProcStats.NowMicros();
            if (rec != seen) { seen = rec; lastProgress = now; }
            if (rec >= expected || now - lastProgress > o.DrainIdle * 1e6 || now - drainT0 > o.Drain * 1e6) break;
            await Task.Delay(100).ConfigureAwait(false);
        }
        var rep2 = Merge(await Task.WhenAll(Array.ConvertAll(workers, w => w.ReportAsync())).ConfigureAwait(false));
        var latency = new LatencyHistogram(rep2.Latency, rep2.LatencyMax).Summary();
        var lag = new LatencyHistogram(rep2.Lag, rep2.LagMax);
        long lastDel = rep2.LastDeliveryUs > 0 ? rep2.LastDeliveryUs : m0;
        long lost = Math.Max(0, expected - rep2.Received);
        double perSec = Math.Round(rep2.ReceivedInWindow / o.Seconds, 1);

        result["sent"] = sent;
        result["expectedDeliveries"] = expected;
        result["received"] = rep2.Received;
        result["lost"] = lost;
        result["deliveredPerSec"] = perSec;
        result["latencyMs"] = latency;
        result["server"] = new JsonObject
        {
            ["pid"] = o.Pids.Length > 0 ? string.Join(",", o.Pids) : null, ["cpuPct"] = cpu["serverPct"]?.DeepClone(), ["rssKbBefore"] = rssBefore, ["rssKbAfter"] = rssAfterSend,
            ["redisCpuPct"] = cpu["redisPct"]?.DeepClone(),
        };
        result["tool"] = new JsonObject
        {
            ["name"] = "ChatCluster.Bench", ["cpuPct"] = cpu["generatorPct"]?.DeepClone(), ["processes"] = o.Processes,
            ["lagMs"] = new JsonObject { ["p50"] = lag.PercentileMs(0.5), ["p99"] = lag.PercentileMs(0.99), ["max"] = Math.Round(lag.MaxMicros / 1000.0, 2) },
        };
        result["memory"] = new JsonObject { ["rssBeforeSetupKb"] = rssBefore, ["rssAfterSendKb"] = rssAfterSend, ["rssPerConnKb"] = rssBefore is long rb && rssAfterSend is long ra && ok > 0 ? Math.Round((double)(ra - rb) / ok, 2) : null };
        result["results"] = new JsonObject
        {
            ["sent"] = sent, ["acked"] = rep2.Acked, ["ackErrors"] = rep2.AckErrors, ["sayErrors"] = rep2.SayErrors,
            ["sendRate"] = Math.Round(sent / o.Seconds, 1),
            ["expectedDeliveries"] = expected, ["received"] = rep2.Received, ["lost"] = lost,
            ["lossPct"] = expected > 0 ? Math.Round(100.0 * lost / expected, 3) : 0,
            ["extra"] = Math.Max(0, rep2.Received - expected),
            ["deliveredPerSecInWindow"] = perSec,
            ["deliveredPerSecOverall"] = Math.Round(rep2.Received / Math.Max(1e-6, (lastDel - m0) / 1e6), 1),
            ["lastDeliveryAfterStopMs"] = Math.Round(Math.Max(0, (lastDel - (m0 + o.Seconds * 1e6)) / 1000), 1),
            ["latencyMs"] = latency.DeepClone(),
            ["generatorSkipped"] = new JsonObject { ["behindSchedule"] = rep2.SkippedBehind, ["socketBuffered"] = rep2.SkippedBuffered, ["windowTimeouts"] = rep2.WindowTimeouts },
            ["closedDuringRun"] = rep2.ClosedEarly,
            [o.WireProtocol == LoadProtocol.SignalR ? "hubPings" : "primusPings"] = rep2.Pings,
            ["received_wsMessages_records"] = new JsonArray(rep2.WsMessages, rep2.Records),
        };
        cpu["note"] = "% of one vCPU over the send window (generator = this tool, all its processes); machine = all vCPUs from /proc/stat; otherPct = machine user+system+softirq not explained by server+redis+tool";
        result["cpu"] = cpu;
        // ahload's generator event-loop lag; here: how late a 10 ms timer fires on the tool's thread pool
        result["generatorEventLoopMs"] = new JsonArray(new JsonObject { ["p50"] = lag.PercentileMs(0.5) ?? 0, ["p99"] = lag.PercentileMs(0.99) ?? 0, ["max"] = Math.Round(lag.MaxMicros / 1000.0, 2) });
        AddErrors(result, rep2);
        await Task.WhenAll(Array.ConvertAll(workers, w => w.CloseAsync())).ConfigureAwait(false);
        FinishHost(result);
        emit();
        Console.Error.WriteLine(
            $"{scenario} {o.TransportName}/{o.ProtocolName} {o.Target}: {o.Clients} clients, {totalSenders} senders, {o.RoomCount} room(s): " +
            $"sent {sent:N0} ({sent / o.Seconds:N0}/s), {perSec:N0} deliveries/s, lost {lost:N0} of {expected:N0}, " +
            $"latency p50 {latency["p50"]} / p99 {latency["p99"]} / max {latency["max"]} ms; CPU server {cpu["serverPct"]}% tool {cpu["generatorPct"]}% other {cpu["otherPct"]}%; tool lag p99 {lag.PercentileMs(0.99)} ms");
        return 0;
    }

    private static long Sum(long[] a)
    {
        long s = 0;
        foreach (var v in a) s += v;
        return s;
    }

    private static void AddErrors(JsonObject result, WorkerReport rep)
    {
        if (rep.Errors.Count == 0) return;
        var e = new JsonObject();
        foreach (var (k, v) in rep.Errors.OrderByDescending(kv => kv.Value).Take(20)) e[k] = v;
        result["errors"] = e;
    }

    private static void FinishHost(JsonObject result)
    {
        var host = (JsonObject)result["host"]!;
        host["loadavg1After"] = ProcStats.LoadAverage1();
        host["calibMsAfter"] = Calibrate();
    }

    /// <summary>A fixed 1e8 integer loop (as ahload.js): tracks how fast this shared VM is right now.</summary>
    private static double Calibrate()
    {
        long t = ProcStats.NowMicros();
        int x = 0;
        for (int i = 0; i < 100_000_000; i++) x = (x + (i % 7)) | 0;
        double ms = (ProcStats.NowMicros() - t) / 1000.0;
        return x == -1 ? -1 : Math.Round(ms, 1);
    }

    private static WorkerReport Merge(WorkerReport[] reps)
    {
        if (reps.Length == 1) return reps[0];
        var lat = new LatencyHistogram();
        var wel = new LatencyHistogram();
        var lag = new LatencyHistogram();
        var errors = new Dictionary<string, long>();
        long[] c = new long[15];
        foreach (var r in reps)
        {
            lat.Add(new LatencyHistogram(r.Latency, r.LatencyMax));
            wel.Add(new LatencyHistogram(r.Welcome, r.WelcomeMax));
            lag.Add(new LatencyHistogram(r.Lag, r.LagMax));
            foreach (var (k, v) in r.Errors) errors[k] = errors.GetValueOrDefault(k) + v;
            c[0] += r.Received; c[1] += r.ReceivedInWindow; c[2] += r.Acked; c[3] += r.AckErrors; c[4] += r.SayErrors;
            c[5] += r.Pings; c[6] += r.OtherFrames; c[7] += r.WsMessages; c[8] += r.Records; c[9] = Math.Max(c[9], r.LastDeliveryUs);
            c[10] += r.SkippedBehind; c[11] += r.SkippedBuffered; c[12] += r.WindowTimeouts; c[13] += r.ClosedEarly; c[14] += r.Welcomed;
        }
        return new WorkerReport(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14],
            lat.Counts, lat.MaxMicros, wel.Counts, wel.MaxMicros, lag.Counts, lag.MaxMicros, errors);
    }
}
