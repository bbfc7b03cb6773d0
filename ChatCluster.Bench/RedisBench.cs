using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using ChatCluster.Persistence.Redis;

namespace ChatCluster.Bench;

/// <summary>
/// Redis figures: the journal's write and replay rates (ChatCluster.Persistence.Redis on a real redis-server), and the
/// end-to-end chat latency between a ChatCluster node and an ActionHero node through Redis pub/sub.
/// </summary>
public static class RedisBench
{
    // ---------------------------------------------------------------- journal

    private sealed record Done(long Count);

    private sealed class Writer : ReceivePersistentActor
    {
        private long _written;
        private long _target;
        private IActorRef? _replyTo;

        public Writer(string pid, bool batched)
        {
            PersistenceId = pid;
            Command<long>(n =>
            {
                _target = n;
                _replyTo = Sender;
                if (batched)
                {
                    // PersistAllAsync in chunks: the journal receives them as batches of AtomicWrites.
                    for (long i = 0; i < n; i += 100)
                        PersistAllAsync(Enumerable.Range(0, (int)Math.Min(100, n - i)).Select(k => $"event-{i + k}"), _ => Count());
                }
                else
                {
#pragma warning disable AK1006 // deliberately one event per Persist: the rate of single writes is what this measures
                    for (long i = 0; i < n; i++) Persist($"event-{i}", _ => Count());
#pragma warning restore AK1006
                }
            });
            Recover<string>(_ => _written++);
            Command<string>(s => Sender.Tell(new Done(_written)));
        }

        private void Count()
        {
            if (++_written == _target) _replyTo!.Tell(new Done(_written));
        }

        public override string PersistenceId { get; }
    }

    public static async Task JournalAsync(string[] args)
    {
        var redis = Arg(args, "--redis", "127.0.0.1:6379");
        var events = long.Parse(Arg(args, "--events", "20000"));
        var prefix = $"bench-{Guid.NewGuid():N}:";
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.redis"
            akka.persistence.journal.redis { configuration-string = "{{redis}}", key-prefix = "{{prefix}}" }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.redis"
            akka.persistence.snapshot-store.redis { configuration-string = "{{redis}}", key-prefix = "{{prefix}}" }
            """).WithFallback(RedisPersistence.DefaultConfig());
        Console.WriteLine($"journal on redis {redis}, {events} events of ~8 bytes per run, key prefix {prefix}");
        foreach (var batched in new[] { false, true })
        {
            var pid = "writer-" + (batched ? "batched" : "sequential");
            using (var system = ActorSystem.Create("bench", config))
            {
                var writer = system.ActorOf(Props.Create(() => new Writer(pid, batched)));
                await writer.Ask<Done>("warm", TimeSpan.FromSeconds(30));
                var watch = Stopwatch.StartNew();
                await writer.Ask<Done>(events, TimeSpan.FromMinutes(5));
                Console.WriteLine($"write {(batched ? "PersistAllAsync x100" : "Persist one by one  ")}: {events / watch.Elapsed.TotalSeconds,10:N0} events/s ({watch.Elapsed.TotalMilliseconds:N0} ms)");
                await system.Terminate();
            }
            using (var system = ActorSystem.Create("bench", config))
            {
                var watch = Stopwatch.StartNew();
                var replayed = await system.ActorOf(Props.Create(() => new Writer(pid, batched))).Ask<Done>("count", TimeSpan.FromMinutes(5));
                Console.WriteLine($"replay                     : {replayed.Count / watch.Elapsed.TotalSeconds,10:N0} events/s ({replayed.Count} events, {watch.Elapsed.TotalMilliseconds:N0} ms incl. actor start)");
                await system.Terminate();
            }
        }
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        foreach (var key in server.Keys(pattern: prefix + "*")) await mux.GetDatabase().KeyDeleteAsync(key);
    }

    // ---------------------------------------------------------------- ChatCluster <-> ActionHero latency

    /// <summary>
    /// A TCP client on the ChatCluster node and a websocket client on the ActionHero node join one room; each says in turn
    /// and the time until the other side receives it is measured (one message in flight at a time).
    /// </summary>
    public static async Task LatencyAsync(string[] args)
    {
        var ccTcp = int.Parse(Arg(args, "--cc-tcp", "5000"));
        var ahWeb = int.Parse(Arg(args, "--ah-web", "8180"));
        var room = Arg(args, "--room", "defaultRoom");
        var count = int.Parse(Arg(args, "--count", "500"));

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", ccTcp);
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream, Encoding.UTF8);
        await reader.ReadLineAsync(); // welcome
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"roomAdd {room}\n"));
        await reader.ReadLineAsync();

        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{ahWeb}/primus"), CancellationToken.None);
        await WsRead(ws); // welcome
        await WsSend(ws, new JsonObject { ["event"] = "roomAdd", ["room"] = room, ["messageId"] = 1 });
        await WsRead(ws);

        var ccToAh = new List<double>(count);
        var ahToCc = new List<double>(count);
        for (var i = 0; i < count + 50; i++)
        {
            var marker = $"m{i}-{Guid.NewGuid():N}";
            var watch = Stopwatch.StartNew();
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"say {room} {marker}\n"));
            while (!(await WsRead(ws)).Contains(marker)) { }
            var a = watch.Elapsed.TotalMilliseconds;
            while (!(await reader.ReadLineAsync())!.Contains(marker)) { } // our own copy

            marker = $"n{i}-{Guid.NewGuid():N}";
            watch.Restart();
            await WsSend(ws, new JsonObject { ["event"] = "say", ["room"] = room, ["message"] = marker, ["messageId"] = i + 2 });
            while (!(await reader.ReadLineAsync())!.Contains(marker)) { }
            var b = watch.Elapsed.TotalMilliseconds;
            while (!(await WsRead(ws)).Contains(marker)) { } // ActionHero's own copy
            if (i < 50) continue; // warm-up
            ccToAh.Add(a);
            ahToCc.Add(b);
        }
        Report("ChatCluster (TCP say) -> ActionHero (websocket)", ccToAh);
        Report("ActionHero (websocket say) -> ChatCluster (TCP) ", ahToCc);
    }

    private static void Report(string what, List<double> ms)
    {
        ms.Sort();
        double P(double p) => ms[Math.Min(ms.Count - 1, (int)(p * ms.Count))];
        Console.WriteLine($"{what}: n={ms.Count} p50={P(0.5):F2} ms p90={P(0.9):F2} p99={P(0.99):F2} max={ms[^1]:F2}");
    }

    private static async Task WsSend(ClientWebSocket ws, JsonObject frame) =>
        await ws.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> WsRead(ClientWebSocket ws)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None);
            if (r.MessageType == WebSocketMessageType.Close) throw new IOException("websocket closed");
            message.Write(buffer, 0, r.Count);
            if (r.EndOfMessage) return Encoding.UTF8.GetString(message.ToArray());
        }
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
