using System.Diagnostics;

namespace ChatCluster.Bench.Faults;

/// <summary>
/// The fault campaign (issue 12, "a fault suite that stays"): three real node processes, each in its own network
/// namespace, Redis in the root namespace, clients on every node saying numbered messages; one fault per phase, and
/// per fault: acknowledged messages lost, duplicates, reorders, seconds until presence is exact, seconds until every
/// room carries messages again. Exit code 1 when any fault lost, duplicated or reordered an acknowledged message.
/// <code>
///   dotnet ChatCluster.Bench.dll faults [--short] [--node-dll PATH] [--clients N] [--logs DIR]
/// </code>
/// With <c>--history</c> it runs the history chaos run instead (<see cref="HistoryChaos"/>).
/// </summary>
public static class FaultCampaign
{
    private const int Nodes = 3;
    private const int RedisPort = 21020;
    // Created once every node is up, so sharding spreads them over the three nodes (starting rooms would all land on
    // the first node).
    private static readonly string[] Rooms = Enumerable.Range(0, 24).Select(i => $"fault{i:00}").ToArray();
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private sealed record Fault(string Name, int[] Survivors, Func<Context, Task> Inject, Func<Context, Task> Heal, bool Redis = false);

    private sealed class Context
    {
        public required FaultNetwork Net { get; init; }
        public required List<FaultNode> Nodes { get; init; }
        public required RedisProcess Redis { get; init; }
        public required bool Short { get; init; }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--history")) return await HistoryChaos.RunAsync(args);
        var shortMode = args.Contains("--short");
        var nodeDll = Arg(args, "--node-dll") ?? Path.Combine(AppContext.BaseDirectory, "ChatCluster.Host.dll");
        var clients = int.Parse(Arg(args, "--clients") ?? "2");
        var logs = Arg(args, "--logs") ?? Directory.CreateTempSubdirectory("faults-").FullName;
        Directory.CreateDirectory(logs);
        Log($"fault campaign ({(shortMode ? "short" : "long")}): {Nodes} nodes, {clients} clients + 1 observer per node, {Rooms.Length} rooms; logs in {logs}");

        var netId = int.Parse(Arg(args, "--net-id") ?? $"{Environment.ProcessId % 10000}");
        await using var net = await FaultNetwork.CreateAsync(Nodes, netId, Log);
        Log(net.UsesNamespaces ? $"network namespaces: nodes at {net.NodeAddress(0)}..{net.NodeAddress(Nodes - 1)}, clients and redis at {net.HostAddress}"
            : "no network namespaces: nodes on 127.0.0.x");
        await using var redis = new RedisProcess(net.HostAddress, RedisPort, logs);
        redis.Start();
        var conf = Path.Combine(logs, "campaign.conf");
        // The Redis journal stays off: the chat path under test does not depend on Redis (the adapter mirrors into it).
        await File.WriteAllTextAsync(conf, "chatcluster.redis.journal = off\n");
        // Every node is a seed: a restarted node must find the running cluster whichever nodes are up (with only two
        // seeds, the first one restarted while the other is down forms a second cluster).
        var seeds = string.Join(",", Enumerable.Range(0, Nodes).Select(k => $"akka.tcp://chatcluster@{net.NodeAddress(k)}:{FaultNode.AkkaPort}"));
        var nodeArgs = new[] { "--seed-nodes", seeds, "--rooms", "", "--redis", $"{net.HostAddress}:{RedisPort}",
            "--config", conf, "--log-level", "warning" };
        var nodes = Enumerable.Range(0, Nodes).Select(k => new FaultNode(k, net, nodeDll, logs, nodeArgs)).ToList();
        var ctx = new Context { Net = net, Nodes = nodes, Redis = redis, Short = shortMode };
        var results = new List<string>();
        var failed = false;
        try
        {
            await FaultCluster.StartAsync(nodes, Rooms, Clock);

            foreach (var fault in Faults(ctx))
            {
                var line = await RunPhaseAsync(ctx, fault, clients);
                results.Add(line.Text);
                failed |= line.Failed;
            }
        }
        finally
        {
            foreach (var n in nodes) n.Kill();
            foreach (var n in nodes) await n.WaitExitAsync(TimeSpan.FromSeconds(10));
        }
        Console.WriteLine();
        Console.WriteLine("| fault | says acked / refused / unanswered | acked lost | duplicates | reorders | presence exact after (s) | every room carries messages after (s) | notes |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in results) Console.WriteLine(r);
        Console.WriteLine(failed ? "RESULT: FAIL (an acknowledged message was lost, duplicated or reordered)" : "RESULT: PASS (0 lost, 0 duplicates, 0 reorders)");
        return failed ? 1 : 0;
    }

    private static IEnumerable<Fault> Faults(Context ctx)
    {
        var all = new[] { 0, 1, 2 };
        yield return new Fault("kill -9 node 2", new[] { 0, 1 }, c => { c.Nodes[2].Kill(); return Task.CompletedTask; }, RestartAsync(2));
        // Victims rotate: a restarted node comes back without rooms (sharding moves them back only slowly), so the next
        // fault hits a node that has been holding rooms.
        if (!ctx.Short)
            yield return new Fault("SIGTERM node 1", new[] { 0, 2 }, c => c.Nodes[1].TerminateAsync(TimeSpan.FromSeconds(20)), RestartAsync(1));
        if (ctx.Net.UsesNamespaces)
        {
            yield return new Fault("partition: node 1 (minority) from 0,2", new[] { 0, 2 },
                c => c.Net.PartitionAsync(new[] { 1 }, new[] { 0, 2 }), HealAndRestartAsync(1));
            if (!ctx.Short)
                yield return new Fault("partition: node 0 (oldest, coordinator) from 1,2", new[] { 1, 2 },
                    c => c.Net.PartitionAsync(new[] { 0 }, new[] { 1, 2 }), HealAndRestartAsync(0));
        }
        if (!ctx.Short) yield return new Fault("latency 100 ms on node 2", all, AddLatency, RemoveLatency);
        yield return new Fault("redis kill -9 + restart (empty)", all, c => c.Redis.RestartAsync(TimeSpan.FromSeconds(3)), _ => Task.CompletedTask, Redis: true);
        if (!ctx.Short) yield return new Fault("redis FLUSHALL", all, c => c.Redis.FlushAsync(), _ => Task.CompletedTask, Redis: true);
    }

    private static async Task AddLatency(Context c)
    {
        if (await c.Net.NetemAvailableAsync()) await c.Net.AddLatencyAsync(2, TimeSpan.FromMilliseconds(100));
        else Log("tc netem is not available in this kernel: latency fault not injected (phase runs as a control)");
    }

    private static async Task RemoveLatency(Context c)
    {
        if (await c.Net.NetemAvailableAsync()) await c.Net.RemoveLatencyAsync(2);
    }

    private static Func<Context, Task> RestartAsync(int k) => async c =>
    {
        await c.Nodes[k].WaitExitAsync(TimeSpan.FromSeconds(20));
        c.Nodes[k].Kill();
        await c.Nodes[k].WaitExitAsync(TimeSpan.FromSeconds(10));
        // After the remoting gate (akka.remote.retry-gate-closed-for, 5 s) the survivors put on the address of the node
        // that went away: a new incarnation joining inside it lost heartbeats and was taken for unreachable.
        await Task.Delay(TimeSpan.FromSeconds(6));
        c.Nodes[k].Start();
        if (!await c.Nodes[k].WaitListeningAsync(TimeSpan.FromSeconds(90))) Log($"node {k} did not come back; see {c.Nodes[k].LogPath}");
        await Task.Delay(TimeSpan.FromSeconds(5)); // sharding hands rooms to the new node
    };

    private static Func<Context, Task> HealAndRestartAsync(int k) => async c =>
    {
        // The downed side must have stopped by itself (it may not rejoin with the same incarnation).
        var exited = await c.Nodes[k].WaitExitAsync(TimeSpan.FromSeconds(30));
        Log(exited ? $"node {k} (downed side) exited by itself with code {c.Nodes[k].ExitCode}" : $"node {k} (downed side) still running 30 s after the partition: killed");
        await c.Net.HealAsync();
        await RestartAsync(k)(c);
    };

    private sealed record PhaseResult(string Text, bool Failed);

    private static async Task<PhaseResult> RunPhaseAsync(Context ctx, Fault fault, int clientsPerNode)
    {
        Log($"--- {fault.Name}");
        var bound = TimeSpan.FromSeconds(ctx.Short ? 45 : 75);
        var sessions = new List<FaultSession>();
        var observers = new List<FaultSession>();
        foreach (var node in ctx.Nodes.Where(n => n.Running))
        {
            for (var i = 0; i <= clientsPerNode; i++)
            {
                // Right after a node (re)joins, sharding hands rooms over to it and joins can time out: a session that
                // could not join every room is dropped and a fresh one tried (bounded), so every phase starts settled.
                FaultSession? joined = null;
                for (var attempt = 1; joined is null && attempt <= 20; attempt++)
                {
                    var s = new FaultSession($"{(i == clientsPerNode ? "o" : "c")}{node.Index}.{i}.{Clock.ElapsedMilliseconds}", node.Index, Clock);
                    if (await s.ConnectAsync(node.Address, FaultNode.TcpPort, Rooms))
                    {
                        joined = s;
                        break;
                    }
                    Log($"session {s.Name} on node {node.Index} could not join every room (attempt {attempt}): {s.LastError}");
                    await s.DisposeAsync();
                    await Task.Delay(TimeSpan.FromSeconds(2));
                }
                if (joined is null) throw new InvalidOperationException($"no session could join every room on node {node.Index}");
                if (i == clientsPerNode) observers.Add(joined);
                else sessions.Add(joined);
            }
        }
        using var stop = new CancellationTokenSource();
        var loops = sessions.Where(s => s.Open).Select(s => s.SayLoopAsync(Rooms, TimeSpan.FromMilliseconds(20), stop.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(ctx.Short ? 3 : 5));

        var injectedAt = Clock.ElapsedMilliseconds;
        await fault.Inject(ctx);
        long? presenceExactAt = null;
        long? redisRoomsAt = null;
        var everyone = sessions.Concat(observers).ToList();
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            if (presenceExactAt is null && await PresenceExactAsync(everyone, observers, fault.Survivors)) presenceExactAt = Clock.ElapsedMilliseconds;
            if (fault.Redis && redisRoomsAt is null && (await ctx.Redis.RoomsAsync()).IsSupersetOf(Rooms)) redisRoomsAt = Clock.ElapsedMilliseconds;
            var carrying = CarryingAt(sessions, injectedAt);
            if (presenceExactAt is not null && carrying is not null && (!fault.Redis || redisRoomsAt is not null)
                && Clock.ElapsedMilliseconds - injectedAt > 8_000) break;
        }
        await fault.Heal(ctx);
        await Task.Delay(TimeSpan.FromSeconds(2));
        stop.Cancel();
        await Task.WhenAny(Task.WhenAll(loops), Task.Delay(TimeSpan.FromSeconds(50)));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the last deliveries
        var endedAt = Clock.ElapsedMilliseconds;
        foreach (var s in everyone) await s.DisposeAsync();

        var said = sessions.SelectMany(s => s.Says).ToList();
        var (lost, missing) = Lost(said, everyone, endedAt, injectedAt);
        var duplicates = everyone.Sum(s => s.Received.Count - s.Received.Distinct().Count());
        var reorders = everyone.Sum(Reorders);
        var acked = said.Count(m => m.Acked);
        var refused = said.Count(m => m.AnsweredAt >= 0 && !m.Acked);
        var unanswered = said.Count(m => m.AnsweredAt < 0);
        var carriedAt = CarryingAt(sessions, injectedAt);
        var notes = new List<string>();
        var victims = everyone.Where(s => !fault.Survivors.Contains(s.Node)).ToList();
        if (victims.Count > 0 && fault.Name.StartsWith("partition", StringComparison.Ordinal))
            notes.Add($"minority clients told goodbye: {victims.Count(v => v.GotGoodbye)} of {victims.Count}");
        if (fault.Name.StartsWith("SIGTERM", StringComparison.Ordinal))
            notes.Add($"goodbyes: {victims.Count(v => v.GotGoodbye)} of {victims.Count}");
        if (fault.Redis) notes.Add(redisRoomsAt is { } r ? $"rooms back in redis after {Seconds(r - injectedAt)} s" : "rooms NOT back in redis");
        if (missing > 0) notes.Add($"{missing} missing deliveries");
        var hit = RoomsHit(sessions, injectedAt);
        if (hit > 0) notes.Add($"{hit} of {Rooms.Length} rooms paused > 2 s");
        var refusedErrors = said.Where(m => m.Error is not null).Select(m => m.Error!).Distinct().ToList();
        if (refusedErrors.Count > 0) notes.Add("errors: " + string.Join("; ", refusedErrors));
        var text = $"| {fault.Name} | {acked} / {refused} / {unanswered} | {lost} | {duplicates} | {reorders} | " +
                   $"{(presenceExactAt is { } p ? Seconds(p - injectedAt) : "never")} | {(carriedAt is { } cr ? Seconds(cr - injectedAt) : "never")} | {string.Join("; ", notes)} |";
        Log(text);
        return new PhaseResult(text, lost > 0 || duplicates > 0 || reorders > 0);
    }

    // Presence is exact when an observer on a surviving node lists, in every room, exactly the open sessions of the
    // surviving nodes (the others' must be gone: crashed, stopped, or told goodbye on the minority side).
    private static async Task<bool> PresenceExactAsync(List<FaultSession> everyone, List<FaultSession> observers, int[] survivors)
    {
        var observer = observers.FirstOrDefault(o => o.Open && survivors.Contains(o.Node));
        if (observer is null) return false;
        var expected = everyone.Where(s => s.Open && s.Id is not null && survivors.Contains(s.Node)).Select(s => s.Id!).ToHashSet();
        foreach (var room in Rooms)
        {
            var members = await observer.MembersAsync(room);
            if (members is null || !members.SetEquals(expected)) return false;
        }
        return true;
    }

    // The first time every room had acknowledged a say sent after the fault (null: some room never did).
    private static long? CarryingAt(List<FaultSession> sessions, long injectedAt)
    {
        long latest = 0;
        foreach (var room in Rooms)
        {
            var first = sessions.SelectMany(s => s.Says.ToArray()).Where(m => m.Room == room && m.SentAt >= injectedAt && m.Acked)
                .Select(m => m.AnsweredAt).DefaultIfEmpty(-1).Min();
            if (first < 0) return null;
            latest = Math.Max(latest, first);
        }
        return latest;
    }

    // An acknowledged say is lost when a session that was in its room before it was said, and stayed connected to the
    // end, never received it.
    private static (int Lost, int Missing) Lost(List<SayRecord> said, List<FaultSession> everyone, long endedAt, long injectedAt)
    {
        var shown = 0;
        var receipts = everyone.ToDictionary(s => s, s => s.Received.ToHashSet());
        int lost = 0, missing = 0;
        foreach (var m in said.Where(m => m.Acked))
        {
            var missed = everyone.Count(s => (s.ClosedAt ?? long.MaxValue) >= endedAt - 1
                && s.JoinedAt.TryGetValue(m.Room, out var joined) && joined < m.SentAt
                && !receipts[s].Contains(new Receipt(m.Room, m.Sender, m.Seq)));
            if (missed > 0)
            {
                lost++;
                if (shown++ < 5)
                {
                    var who = everyone.Where(s => (s.ClosedAt ?? long.MaxValue) >= endedAt - 1 && s.JoinedAt.ContainsKey(m.Room)
                        && !receipts[s].Contains(new Receipt(m.Room, m.Sender, m.Seq))).Select(s => s.Name);
                    Log($"  lost: {m.Sender}|{m.Seq} in {m.Room}, said {m.SentAt - injectedAt} ms after the fault, acked after {m.AnsweredAt - m.SentAt} ms; missing at {string.Join(",", who)}");
                }
            }
            missing += missed;
        }
        return (lost, missing);
    }

    // Rooms whose first acknowledged say after the fault came more than 2 s after it (they lived on the faulted node).
    private static int RoomsHit(List<FaultSession> sessions, long injectedAt) =>
        Rooms.Count(room => sessions.SelectMany(s => s.Says.ToArray()).Where(m => m.Room == room && m.SentAt >= injectedAt && m.Acked)
            .Select(m => m.AnsweredAt).DefaultIfEmpty(long.MaxValue).Min() - injectedAt > 2_000);

    private static int Reorders(FaultSession s)
    {
        var count = 0;
        var last = new Dictionary<(string, string), long>();
        foreach (var r in s.Received)
        {
            if (last.TryGetValue((r.Room, r.Sender), out var prev) && r.Seq <= prev) count++;
            last[(r.Room, r.Sender)] = r.Seq;
        }
        return count;
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static void Log(string text) => Console.WriteLine($"[faults {DateTime.UtcNow:HH:mm:ss}] {text}");
}
