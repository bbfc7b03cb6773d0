using System.Diagnostics;
using System.Globalization;

namespace ChatCluster.Bench.Faults;

/// <summary>
/// The history chaos run (issue 17, "Done when"): three node processes with history on, in their own network
/// namespaces; senders say numbered messages into several rooms; readers join with positions and disconnect and
/// reconnect again and again through a node of their choice, rejoining with <c>since</c>; meanwhile nodes are killed
/// (kill -9; the long mode also stops one with SIGTERM) and restarted. Per reader and in total: messages missed (split by
/// whether the recovery that covered the gap said <c>recovered:true</c> or <c>false</c>), duplicates, reorders, and
/// recoveries answered true / false. Exit code 1 on a message missed under <c>recovered:true</c>, a duplicate or a
/// reorder (each named with its id).
/// <code>
///   dotnet ChatCluster.Bench.dll faults --history [--short] [--with-redis] [--node-dll PATH] [--readers N] [--logs DIR]
/// </code>
/// </summary>
public static class HistoryChaos
{
    private const int Nodes = 3;
    private const int RedisPort = 21021;
    // Per room: a sender waits for each say's answer, so a sender saying into several rooms would stall in all of them
    // while one fails over; with one room each, the other rooms keep talking through the failover.
    private const int SendersPerRoom = 2;
    // Enough for any gap of the run (a reader stays away for seconds, senders say ~30 messages/s per room at most).
    private const int HistorySize = 20_000;
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private sealed record Step(string Name, Func<List<FaultNode>, Task> Inject, TimeSpan Watch, Func<List<FaultNode>, Task> Heal);

    public static async Task<int> RunAsync(string[] args)
    {
        var shortMode = args.Contains("--short");
        var withRedis = args.Contains("--with-redis");
        var nodeDll = Arg(args, "--node-dll") ?? Path.Combine(AppContext.BaseDirectory, "ChatCluster.Host.dll");
        var readerCount = int.Parse(Arg(args, "--readers") ?? (shortMode ? "6" : "9"), CultureInfo.InvariantCulture);
        var rooms = Enumerable.Range(0, shortMode ? 6 : 9).Select(i => $"hist{i:00}").ToArray();
        var logs = Arg(args, "--logs") ?? Directory.CreateTempSubdirectory("history-chaos-").FullName;
        Directory.CreateDirectory(logs);
        Log($"history chaos ({(shortMode ? "short" : "long")}, {(withRedis ? "with Redis" : "without Redis")}): {Nodes} nodes, " +
            $"{SendersPerRoom} senders per room on nodes 0 and 1, {readerCount} readers, {rooms.Length} rooms; logs in {logs}");

        var netId = int.Parse(Arg(args, "--net-id") ?? $"{Environment.ProcessId % 10000}", CultureInfo.InvariantCulture);
        await using var net = await FaultNetwork.CreateAsync(Nodes, netId, Log);
        Log(net.UsesNamespaces ? $"network namespaces: nodes at {net.NodeAddress(0)}..{net.NodeAddress(Nodes - 1)}, clients at {net.HostAddress}"
            : "no network namespaces: nodes on 127.0.0.x");
        await using var redis = withRedis ? new RedisProcess(net.HostAddress, RedisPort, logs) : null;
        redis?.Start();
        var conf = Path.Combine(logs, "history-chaos.conf");
        await File.WriteAllTextAsync(conf,
            $"chatcluster.history.rooms = [ {{ pattern = \"*\", size = {HistorySize}, ttl = 10m }} ]\n" +
            (Arg(args, "--extra-conf") is { } extra ? extra + "\n" : ""));
        var seeds = string.Join(",", Enumerable.Range(0, Nodes).Select(k => $"akka.tcp://chatcluster@{net.NodeAddress(k)}:{FaultNode.AkkaPort}"));
        var nodeArgs = new List<string> { "--seed-nodes", seeds, "--rooms", "", "--config", conf, "--log-level", "warning" };
        if (withRedis) nodeArgs.AddRange(new[] { "--redis", $"{net.HostAddress}:{RedisPort}" });
        var nodes = Enumerable.Range(0, Nodes).Select(k => new FaultNode(k, net, nodeDll, logs, nodeArgs)).ToList();
        var phase = "warm-up";
        var senders = new List<SenderChain>();
        var readers = new List<HistoryReader>();
        try
        {
            await FaultCluster.StartAsync(nodes, rooms, Clock);
            Log("cluster up, rooms created");

            using var stopSenders = new CancellationTokenSource();
            using var final = new CancellationTokenSource();
            // Senders start on nodes 0 and 1 (node 2 is the one killed; the long mode's SIGTERM of node 1 moves some).
            foreach (var room in rooms)
                for (var i = 0; i < SendersPerRoom; i++)
                    senders.Add(new SenderChain($"s{room}.{i}", i % 2, nodes, new[] { room }));
            var addresses = nodes.Select(n => n.Address).ToList();
            for (var i = 0; i < readerCount; i++)
                readers.Add(new HistoryReader($"r{i}", rooms, addresses, FaultNode.TcpPort, Clock, seed: 17 + i, roundRobin: i % 2 == 0, () => phase));
            var senderLoops = senders.Select(s => s.RunAsync(stopSenders.Token)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(2));
            var readerLoops = readers.Select(r => r.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3),
                TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), final.Token)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(shortMode ? 6 : 15));

            foreach (var step in Steps(shortMode))
            {
                phase = step.Name;
                Log($"--- {step.Name}");
                await step.Inject(nodes);
                await Task.Delay(step.Watch);
                await step.Heal(nodes);
                phase = $"after {step.Name}";
                await Task.Delay(TimeSpan.FromSeconds(shortMode ? 6 : 15));
            }

            phase = "end";
            Log("stopping senders");
            stopSenders.Cancel();
            await Task.WhenAny(Task.WhenAll(senderLoops), Task.Delay(TimeSpan.FromSeconds(50)));
            Log("last reconnects of the readers");
            final.Cancel();
            await Task.WhenAny(Task.WhenAll(readerLoops), Task.Delay(TimeSpan.FromSeconds(120)));
        }
        finally
        {
            foreach (var n in nodes) n.Kill();
            foreach (var n in nodes) await n.WaitExitAsync(TimeSpan.FromSeconds(10));
        }
        await DumpAsync(logs, senders, readers);
        return Report(rooms, senders, readers, withRedis);
    }

    private static IEnumerable<Step> Steps(bool shortMode)
    {
        yield return new Step("kill -9 node 2", n => { n[2].Kill(); return Task.CompletedTask; }, TimeSpan.FromSeconds(shortMode ? 14 : 25), RestartAsync(2));
        if (shortMode) yield break;
        // A graceful stop hands the rooms over with their history: recoveries should say true.
        yield return new Step("SIGTERM node 1", n => n[1].TerminateAsync(TimeSpan.FromSeconds(20)), TimeSpan.FromSeconds(15), RestartAsync(1));
        yield return new Step("kill -9 node 2 (again)", n => { n[2].Kill(); return Task.CompletedTask; }, TimeSpan.FromSeconds(25), RestartAsync(2));
    }

    private static Func<List<FaultNode>, Task> RestartAsync(int k) => async nodes =>
    {
        await nodes[k].WaitExitAsync(TimeSpan.FromSeconds(20));
        nodes[k].Kill();
        await nodes[k].WaitExitAsync(TimeSpan.FromSeconds(10));
        nodes[k].Start();
        if (!await nodes[k].WaitListeningAsync(TimeSpan.FromSeconds(90))) Log($"node {k} did not come back; see {nodes[k].LogPath}");
        else Log($"node {k} restarted");
    };

    // Everything the run saw, for a look at a finding: one line per say, join and receipt (times in ms of the run).
    private static async Task DumpAsync(string logs, List<SenderChain> senders, List<HistoryReader> readers)
    {
        await using var w = new StreamWriter(Path.Combine(logs, "history-chaos-events.txt"));
        foreach (var s in senders.SelectMany(s => s.Says))
            await w.WriteLineAsync($"say {s.Sender}|{s.Seq} {s.Room} sent {s.SentAt} answered {s.AnsweredAt} acked {s.Acked} {s.Error}");
        foreach (var (session, m) in senders.SelectMany(s => s.Received))
            await w.WriteLineAsync($"sender-recv {session} {m.Room} {m.Sender}|{m.Seq}");
        foreach (var r in readers)
        {
            foreach (var j in r.Joins)
                await w.WriteLineAsync($"join {r.Name} s{j.Session} node {j.Node} {j.Room} at {j.RequestAt} since {j.Since?.Offset}/{j.Since?.Epoch} " +
                                       $"reply {j.ReplyAt} {j.Error} recovered {j.Recovered} replayed {j.Replayed} {j.Epoch}/{j.Offset}");
            foreach (var m in r.Received)
                await w.WriteLineAsync($"recv {r.Name} s{m.Session} {m.Room} {m.Sender}|{m.Seq} {m.Epoch}/{m.Offset} at {m.At}");
        }
    }

    private sealed record Missed(HistoryReader Reader, SayRecord Say, JoinRecord? Cover);

    private static int Report(string[] rooms, List<SenderChain> senders, List<HistoryReader> readers, bool withRedis)
    {
        var said = senders.SelectMany(s => s.Says).ToList();
        var seenByAnyone = readers.SelectMany(r => r.Received).Select(m => (m.Room, m.Sender, m.Seq)).ToHashSet();
        // The messages the rooms ordered: acknowledged, or received by some reader (a say whose answer was lost with its node).
        var ordered = said.Where(m => m.Acked || seenByAnyone.Contains((m.Room, m.Sender, m.Seq))).ToList();
        var positions = HistoryLedger.Positions(readers.SelectMany(r => r.Received));
        HistoryLedger.InferUnseen(positions, ordered);
        // Where each message stands in its room (epoch, offset), as any reader received it.
        var missedAll = new List<Missed>();
        int totalDup = 0, totalReorder = 0, totalTrue = 0, totalFalse = 0, totalFalseEpoch = 0;
        long totalReceived = 0;
        var bugs = new List<string>();
        var findings = new List<string>();
        var totalGhosts = 0;
        Console.WriteLine();
        Console.WriteLine($"history chaos, {(withRedis ? "with Redis" : "without Redis")}: {said.Count(m => m.Acked)} says acked, " +
                          $"{said.Count(m => m.AnsweredAt >= 0 && !m.Acked)} refused, {said.Count(m => m.AnsweredAt < 0)} unanswered; {ordered.Count} ordered");
        Console.WriteLine();
        Console.WriteLine("| reader | order | sessions | recoveries true / false (epoch changed) | received | missed under true | missed under false | missed otherwise | duplicates | reorders | received while not joined |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in readers)
        {
            var joins = r.Joins.ToList();
            var received = r.Received.ToList();
            var recoveries = joins.Where(j => j.Ok && j.Since is not null).ToList();
            var t = recoveries.Count(j => j.Recovered == true);
            var f = recoveries.Count(j => j.Recovered == false);
            var fEpoch = recoveries.Count(j => j.Recovered == false && j.Epoch != j.Since!.Value.Epoch);
            var missed = new List<Missed>();
            var dup = 0;
            var reorder = 0;
            foreach (var room in rooms)
            {
                var account = HistoryLedger.Account(room, joins, received, ordered, positions);
                dup += account.Duplicates.Count;
                reorder += account.Reorders.Count;
                foreach (var m in account.Duplicates)
                    bugs.Add($"duplicate: {r.Name} received {m.Sender}|{m.Seq} in {room} twice (offset {m.Offset}, epoch {m.Epoch}, session {m.Session})");
                foreach (var (m, after) in account.Reorders)
                    bugs.Add($"reorder: {r.Name} received {m.Sender}|{m.Seq} after {m.Sender}|{after} in {room}");
                missed.AddRange(account.Missed.Select(m => new Missed(r, m.Say, m.Cover)));
            }
            var ghosts = HistoryLedger.ReceivedWhileNotJoined(joins, received);
            totalGhosts += ghosts.Count;
            foreach (var g in ghosts.GroupBy(g => (g.Session, g.Room)))
            {
                var failedJoin = joins.FirstOrDefault(j => j.Session == g.Key.Session && j.Room == g.Key.Room);
                findings.Add($"received while not joined: {r.Name} session {g.Key.Session} got {g.Count()} messages of {g.Key.Room} " +
                             $"({g.First().Sender}|{g.First().Seq} at {g.First().Epoch}/{g.First().Offset} .. {g.Last().Sender}|{g.Last().Seq} at {g.Last().Epoch}/{g.Last().Offset}, " +
                             $"from {g.First().At} ms) after its join was answered \"{failedJoin?.Error ?? "(never sent)"}\" at {failedJoin?.ReplyAt} ms");
            }
            var underTrue = missed.Count(m => m.Cover?.Recovered == true);
            var underFalse = missed.Count(m => m.Cover?.Recovered == false);
            var otherwise = missed.Count - underTrue - underFalse;
            Console.WriteLine($"| {r.Name} | {r.Order} | {r.Sessions} | {t} / {f} ({fEpoch}) | {received.Count} | {underTrue} | {underFalse} | {otherwise} | {dup} | {reorder} | {ghosts.Count} |");
            totalDup += dup;
            totalReorder += reorder;
            totalTrue += t;
            totalFalse += f;
            totalFalseEpoch += fEpoch;
            totalReceived += received.Count;
            missedAll.AddRange(missed);
            if (!r.EndedJoined) Console.WriteLine($"|   ({r.Name} did not end joined to every room: its last misses are not covered by a recovery) |");
        }
        var allTrue = missedAll.Count(m => m.Cover?.Recovered == true);
        var allFalse = missedAll.Count(m => m.Cover?.Recovered == false);
        Console.WriteLine($"| **total** | | {readers.Sum(r => r.Sessions)} | {totalTrue} / {totalFalse} ({totalFalseEpoch}) | {totalReceived} | {allTrue} | {allFalse} | {missedAll.Count - allTrue - allFalse} | {totalDup} | {totalReorder} | {totalGhosts} |");
        Console.WriteLine();

        // Recoveries per phase, and the joins that failed (errors, no answer).
        Console.WriteLine("| phase (at the join's request) | recoveries true | false, epoch changed | false, same epoch | joins failed |");
        Console.WriteLine("|---|---|---|---|---|");
        var allJoins = readers.SelectMany(r => r.Joins).ToList();
        foreach (var g in allJoins.GroupBy(j => j.Phase))
        {
            var rec = g.Where(j => j.Ok && j.Since is not null).ToList();
            Console.WriteLine($"| {g.Key} | {rec.Count(j => j.Recovered == true)} | {rec.Count(j => j.Recovered == false && j.Epoch != j.Since!.Value.Epoch)} | " +
                              $"{rec.Count(j => j.Recovered == false && j.Epoch == j.Since!.Value.Epoch)} | {g.Count(j => !j.Ok)} |");
        }
        foreach (var e in allJoins.Where(j => !j.Ok).GroupBy(j => j.Error).OrderByDescending(g => g.Count()))
            Console.WriteLine($"join failures: {e.Count()} x {e.Key}");
        Console.WriteLine($"connect failures (node down, skipped to the next): {readers.Sum(r => r.ConnectFailures)}");

        foreach (var m in missedAll.Where(m => m.Cover?.Recovered != false).Take(40))
        {
            var what = m.Cover is null ? "not covered by any later join" : m.Cover.Recovered == true ? "BUG: under recovered:true" : "covered by a join without since";
            var cover = m.Cover is { } c ? $"join of session {c.Session} on node {c.Node} at {c.RequestAt} ms since {c.Since?.Offset}/{c.Since?.Epoch} -> {c.Epoch}/{c.Offset} replayed {c.Replayed}" : "";
            bugs.Add($"missed ({what}): {m.Reader.Name} never received {m.Say.Sender}|{m.Say.Seq} in {m.Say.Room} (said at {m.Say.SentAt} ms, acked {m.Say.Acked}); {cover}");
        }
        foreach (var f in findings.Take(20)) Console.WriteLine(f);
        if (findings.Count > 20) Console.WriteLine($"... {findings.Count - 20} more");
        foreach (var b in bugs.Take(60)) Console.WriteLine(b);
        if (bugs.Count > 60) Console.WriteLine($"... {bugs.Count - 60} more");
        var failed = allTrue > 0 || totalDup > 0 || totalReorder > 0;
        Console.WriteLine(failed ? "RESULT: FAIL (a message missed under recovered:true, a duplicate or a reorder)"
            : $"RESULT: PASS (0 missed under recovered:true, 0 duplicates, 0 reorders; {allFalse} missed under recovered:false)");
        return failed ? 1 : 0;
    }

    /// <summary>
    /// A sender that keeps saying numbered messages: when its connection goes (its node stopped), it reconnects through
    /// the next node and goes on with the next number, so its numbers stay one sequence.
    /// </summary>
    private sealed class SenderChain(string name, int firstNode, List<FaultNode> nodes, string[] rooms)
    {
        public List<SayRecord> Says { get; } = new();

        /// <summary>What the sender's sessions received (they are members of every room, without positions).</summary>
        public List<(string Session, Receipt Message)> Received { get; } = new();

        public async Task RunAsync(CancellationToken stop)
        {
            var node = firstNode;
            long next = 1;
            for (var attempt = 0; !stop.IsCancellationRequested && attempt < 200; attempt++)
            {
                await using var session = new FaultSession(name, node, Clock);
                if (!await session.ConnectAsync(nodes[node].Address, FaultNode.TcpPort, rooms))
                {
                    node = (node + 1) % nodes.Count;
                    await Task.Delay(TimeSpan.FromMilliseconds(500));
                    continue;
                }
                await session.SayLoopAsync(rooms, TimeSpan.FromMilliseconds(20), stop, next);
                lock (Says) Says.AddRange(session.Says);
                lock (Received) Received.AddRange(session.Received.Select(m => (session.Name, m)));
                if (session.Says.Count > 0) next = session.Says[^1].Seq + 1;
                node = (node + 1) % nodes.Count;
            }
        }
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static void Log(string text) => Console.WriteLine($"[history-chaos {DateTime.UtcNow:HH:mm:ss}] {text}");
}
