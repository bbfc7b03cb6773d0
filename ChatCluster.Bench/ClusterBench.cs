using System.Diagnostics;
using System.Text;

namespace ChatCluster.Bench;

/// <summary>
/// Cluster figures against the 3 processes of scripts/cluster-start.sh (seed tcp 5000, workers 5001, 5002):
/// <list type="bullet">
/// <item><c>failover</c>: N rooms with one member on each node; <c>kill -9</c> of worker2; prints how long until the
/// crashed member is gone from every room's status (seen from the seed), and until every room carries a message
/// between the survivors again (rooms whose actor lived on worker2 must be revived elsewhere).</item>
/// <item><c>crossnode</c>: one room, members on all three nodes, senders on each node saying as fast as a window of
/// unanswered messages allows; prints deliveries/s counted at every member.</item>
/// </list>
/// </summary>
public static class ClusterBench
{
    public static async Task FailoverAsync(string[] args)
    {
        var rooms = Int(args, "--rooms", 30);
        var ports = new[] { Int(args, "--seed-port", 5000), Int(args, "--worker1-port", 5001), Int(args, "--worker2-port", 5002) };
        var pidFile = Str(args, "--pid-file", "run/cluster/worker2.pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        await using var a = await TcpBenchClient.ConnectAsync(ports[0]);
        await using var b = await TcpBenchClient.ConnectAsync(ports[1]);
        var c = await TcpBenchClient.ConnectAsync(ports[2]);
        var crashedId = (string)(await c.RequestAsync("detailsView"))["data"]!["id"]!;
        var names = new List<string>();
        for (var i = 0; i < rooms; i++)
        {
            var room = $"failover-{Guid.NewGuid():N}";
            await a.RequestAsync($"{{\"action\":\"createChatRoom\",\"params\":{{\"name\":\"{room}\"}}}}");
            foreach (var x in new[] { a, b, c }) await x.RequestAsync($"roomAdd {room}");
            names.Add(room);
        }
        Console.Error.WriteLine($"{rooms} rooms, a member on each node; kill -9 {pid} (worker2)");

        var clock = Stopwatch.StartNew();
        Process.GetProcessById(pid).Kill();
        var gone = new Dictionary<string, double>();
        while (gone.Count < rooms && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            foreach (var room in names)
            {
                if (gone.ContainsKey(room)) continue;
                var view = await a.RequestAsync($"roomView {room}", TimeSpan.FromSeconds(30));
                if (view["data"]?["members"] is System.Text.Json.Nodes.JsonObject members && !members.ContainsKey(crashedId))
                    gone[room] = clock.Elapsed.TotalSeconds;
            }
            await Task.Delay(100);
        }
        var revived = new Dictionary<string, double>();
        foreach (var room in names)
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(180))
            {
                var text = "ping-" + Guid.NewGuid().ToString("N");
                await a.RequestAsync($"say {room} {text}", TimeSpan.FromSeconds(30));
                if (await b.WaitForChatAsync(text, TimeSpan.FromSeconds(1)))
                {
                    revived[room] = clock.Elapsed.TotalSeconds;
                    break;
                }
            }
        }
        Console.WriteLine(
            $"{{\"scenario\":\"failover\",\"rooms\":{rooms},\"memberGoneSec\":{{\"min\":{F(gone.Values.Min())},\"max\":{F(gone.Values.Max())}}}," +
            $"\"roomCarriesMessagesAgainSec\":{{\"max\":{F(revived.Values.DefaultIfEmpty(double.NaN).Max())}}},\"roomsRevived\":{revived.Count},\"date\":\"{DateTime.UtcNow:O}\"}}");
        Console.Error.WriteLine($"crashed member gone from every room after {gone.Values.Max():F2} s (first room {gone.Values.Min():F2} s);" +
            $" every room carries messages again after {revived.Values.DefaultIfEmpty(double.NaN).Max():F2} s ({revived.Count}/{rooms} rooms)");
    }

    public static async Task CrossNodeAsync(string[] args)
    {
        var seconds = Int(args, "--seconds", 10);
        var perNode = Int(args, "--members-per-node", 10);
        var window = Int(args, "--window", 50);
        var ports = new[] { Int(args, "--seed-port", 5000), Int(args, "--worker1-port", 5001), Int(args, "--worker2-port", 5002) };
        var room = $"busy-{Guid.NewGuid():N}";

        var members = new List<TcpCountingClient>();
        foreach (var port in ports)
            for (var i = 0; i < perNode; i++) members.Add(await TcpCountingClient.ConnectAsync(port));
        await members[0].RequestAsync($"{{\"action\":\"createChatRoom\",\"params\":{{\"name\":\"{room}\"}}}}");
        foreach (var m in members) await m.RequestAsync($"roomAdd {room}");
        Console.Error.WriteLine($"{members.Count} members on 3 nodes in one room; one sender per node, window {window}; {seconds} s");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var readers = members.Select(m => m.CountChatAsync(stop.Token)).ToArray();
        var senders = new[] { members[0], members[perNode], members[2 * perNode] }.Select(s => s.SayLoopAsync(room, window, stop.Token)).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(senders);
        var elapsed = clock.Elapsed.TotalSeconds;
        var delivered = (await Task.WhenAll(readers)).Sum();
        var sent = senders.Sum(s => s.Result);
        Console.WriteLine($"{{\"scenario\":\"crossnode\",\"members\":{members.Count},\"nodes\":3,\"sent\":{sent},\"delivered\":{delivered}," +
            $"\"deliveredPerSec\":{F(delivered / elapsed)},\"seconds\":{F(elapsed)},\"date\":\"{DateTime.UtcNow:O}\"}}");
        Console.Error.WriteLine($"{sent} says, {delivered} deliveries in {elapsed:F1} s = {delivered / elapsed:N0} deliveries/s across 3 nodes");
        foreach (var m in members) await m.DisposeAsync();
    }

    private static string F(double d) => double.IsNaN(d) ? "null" : d.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);

    private static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static string Str(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
