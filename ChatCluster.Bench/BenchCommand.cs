using ChatCluster.Bench.Load;

namespace ChatCluster.Bench;

/// <summary>Benchmarks print figures; they assert nothing (the test suite stays fast and deterministic).</summary>
public static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 ? args[0] : "help";
        switch (verb)
        {
            case "pipeline":
                await PipelineBench.RunAsync(args.Skip(1).ToArray());
                return 0;
            case "failover":
                await ClusterBench.FailoverAsync(args.Skip(1).ToArray());
                return 0;
            case "crossnode":
                await ClusterBench.CrossNodeAsync(args.Skip(1).ToArray());
                return 0;
            case "redis-journal":
                await RedisBench.JournalAsync(args.Skip(1).ToArray());
                return 0;
            case "redis-latency":
                await RedisBench.LatencyAsync(args.Skip(1).ToArray());
                return 0;
            case "fanout" or "rooms" or "connect":
                LoadCommand.PreferInlineSocketCompletions();
                return await LoadCommand.RunAsync(verb, args[1..]);
            case "faults":
                return await Faults.FaultCampaign.RunAsync(args[1..]);
            case "summarize":
                return SummarizeCommand.Run(args[1..]);
            default:
                Console.WriteLine("usage: dotnet ChatCluster.Bench/bin/Release/net10.0/ChatCluster.Bench.dll <verb> [options]");
                Console.WriteLine("  pipeline   messages/s through each middleware hook kind with 0, 1 and 3 middlewares [--messages N]");
                Console.WriteLine("  fanout     C clients in one room, S senders at a total rate (or max with a window per sender)");
                Console.WriteLine("  rooms      C clients round-robin over K rooms, every client says at a rate");
                Console.WriteLine("  connect    open C connections: connections/s, time to welcome, server RSS per connection");
                Console.WriteLine("  summarize  markdown tables from result files (labels <server>-<scenario>): summarize bench/results/*.jsonl");
                Console.WriteLine("  failover   (needs scripts/cluster-start.sh) kill -9 worker2: time until its members are gone and its rooms work again");
                Console.WriteLine("  crossnode  (needs scripts/cluster-start.sh) one busy room with members on 3 nodes: deliveries/s");
                Console.WriteLine("  faults     [--short] [--node-dll PATH] fault campaign: 3 node processes in network namespaces (root), kill -9,");
                Console.WriteLine("             SIGTERM, partitions, latency, redis restart/flush; acked lost / duplicates / reorders per fault (faults/run.sh)");
                Console.WriteLine("  faults --history [--short] [--with-redis] [--readers N]   history chaos: readers reconnect with since while nodes");
                Console.WriteLine("             are killed; missed (under recovered true/false), duplicates, reorders per reader (faults/run.sh --history)");
                Console.WriteLine("  redis-journal [--redis HOST:PORT] [--events N]   Redis journal write (one by one, batched) and replay rates");
                Console.WriteLine("  redis-latency [--cc-tcp PORT] [--ah-web PORT] [--room R] [--count N]   chat latency ChatCluster <-> ActionHero through Redis");
                Console.WriteLine("  (fanout/rooms/connect --help lists the load options)");
                return verb == "help" ? 0 : 2;
        }
    }
}
