using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench.Load;

/// <summary>
/// <c>summarize FILE.jsonl...</c>: markdown tables of load-tool result lines. Labels are
/// <c>&lt;server&gt;-&lt;scenario&gt;</c> (cc-, ah-, sr-, cc3-); per server and scenario the median of the runs whose
/// otherPct (CPU of other processes on the machine) is at most OTHER_MAX (25), else of all runs, marked
/// "noisy". Not a hot path.
/// </summary>
public static class SummarizeCommand
{
    private static readonly (string prefix, string name)[] Servers =
        [("cc", "ChatCluster"), ("cc3", "ChatCluster ×3 nodes"), ("ah", "ActionHero"), ("sr", "SignalR")];

    public static int Run(string[] files)
    {
        if (files.Length == 0) { Console.Error.WriteLine("usage: summarize FILE.jsonl ..."); return 2; }
        double otherMax = double.TryParse(Environment.GetEnvironmentVariable("OTHER_MAX"), CultureInfo.InvariantCulture, out var om) ? om : 25;
        var runs = new List<JsonObject>();
        foreach (var f in files)
            foreach (var line in File.ReadLines(f))
                if (line.StartsWith('{') && JsonNode.Parse(line) is JsonObject o && o["label"] is not null && o["error"] is null) runs.Add(o);

        var groups = new SortedDictionary<string, SortedDictionary<string, List<JsonObject>>>(StringComparer.Ordinal);
        foreach (var r in runs)
        {
            var label = (string)r["label"]!;
            int dash = label.IndexOf('-');
            if (dash < 0) continue;
            var server = label[..dash];
            var scenario = label[(dash + 1)..];
            if (!groups.TryGetValue(scenario, out var byServer)) groups[scenario] = byServer = new(StringComparer.Ordinal);
            if (!byServer.TryGetValue(server, out var list)) byServer[server] = list = [];
            list.Add(r);
        }
        var present = Servers.Where(s => groups.Values.Any(g => g.ContainsKey(s.prefix))).ToArray();

        // headline table, like the issue's
        var sb = new StringBuilder();
        sb.Append("| scenario |");
        foreach (var s in present) sb.Append(' ').Append(s.name).Append(" |");
        sb.AppendLine().Append("|---|");
        foreach (var _ in present) sb.Append("---|");
        sb.AppendLine();
        foreach (var (scenario, byServer) in groups)
        {
            sb.Append("| ").Append(Describe(scenario, byServer.Values.First()[0])).Append(" |");
            foreach (var s in present)
            {
                if (!byServer.TryGetValue(s.prefix, out var list)) { sb.Append(" – |"); continue; }
                var (use, noisy) = Pick(list, otherMax);
                sb.Append(' ').Append(Headline(use)).Append(noisy ? " (noisy)" : "").Append(" |");
            }
            sb.AppendLine();
        }
        sb.AppendLine();

        // details: one row per scenario and server
        sb.AppendLine("| scenario | server | runs (clean/all) | says/s sent | deliveries/s | lost | latency p50 / p99 / max ms | conn/s | welcome p50 / p99 ms | RSS/conn kB | CPU % server / tool / other (of 200) | tool lag p99 ms |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (scenario, byServer) in groups)
            foreach (var s in present)
            {
                if (!byServer.TryGetValue(s.prefix, out var list)) continue;
                var (use, _) = Pick(list, otherMax);
                int clean = list.Count(r => Other(r) is double d && d <= otherMax);
                bool connect = (string?)use[0]["scenario"] == "connect";
                string M(Func<JsonObject, double?> f, int d = 0) => Fmt(Median(use.Select(f)), d);
                sb.Append($"| {scenario} | {s.name} | {clean}/{list.Count} | ");
                if (connect)
                {
                    sb.Append($"– | – | – | – | {M(r => D(r, "connect", "connPerSec"))} | {M(r => D(r, "connect", "timeToWelcomeMsP50"), 1)} / {M(r => D(r, "connect", "timeToWelcomeMsP99"), 1)} | {M(r => D(r, "memory", "rssPerConnKb"), 1)} | ");
                    sb.Append($"{M(r => D(r, "connect", "serverCpuPct"))} / {M(r => D(r, "connect", "generatorCpuPct"))} / {M(Other)} | – |");
                }
                else
                {
                    sb.Append($"{M(r => D(r, "results", "sendRate"))} | {M(r => D(r, "deliveredPerSec"))} | {M(r => D(r, "lost"))} | ");
                    sb.Append($"{M(r => D(r, "latencyMs", "p50"), 1)} / {M(r => D(r, "latencyMs", "p99"), 1)} / {M(r => D(r, "latencyMs", "max"), 1)} | – | – | – | ");
                    sb.Append($"{M(r => D(r, "cpu", "serverPct"))} / {M(r => D(r, "cpu", "generatorPct"))} / {M(Other)} | {M(r => D(r, "tool", "lagMs", "p99"), 1)} |");
                }
                sb.AppendLine();
            }
        Console.Write(sb.ToString());
        return 0;
    }

    private static string Describe(string scenario, JsonObject r)
    {
        var s = (string?)r["scenario"];
        var transport = (string?)r["transport"] == "tcp" ? "tcp" : "ws";
        if (s == "connect")
            return scenario.EndsWith("-mem", StringComparison.Ordinal)
                ? $"{scenario}: memory per idle {transport} connection at {r["clients"]} (RSS delta / connections, kB)"
                : $"{scenario}: {r["clients"]} {transport} clients — connections/s";
        var rate = (double?)r["rate"] ?? 0;
        var what = rate > 0 ? "p99 latency ms (deliveries/s)" : "deliveries/s (p99 ms)";
        var load = rate > 0 ? (s == "rooms" ? $"{rate} says/s per client" : $"{rate} says/s") : "max rate";
        return s == "rooms"
            ? $"{scenario}: {r["clients"]} {transport} clients in {r["rooms"]} rooms, {load} — {what}"
            : $"{scenario}: {r["clients"]} {transport} clients in one room, {r["senders"]} senders, {load} — {what}";
    }

    private static string Headline(List<JsonObject> use)
    {
        var r0 = use[0];
        if ((string?)r0["scenario"] == "connect")
        {
            var label = (string)r0["label"]!;
            return label.EndsWith("-mem", StringComparison.Ordinal)
                ? Fmt(Median(use.Select(r => D(r, "memory", "rssPerConnKb"))), 1) + " kB"
                : Fmt(Median(use.Select(r => D(r, "connect", "connPerSec"))));
        }
        var del = Fmt(Median(use.Select(r => D(r, "deliveredPerSec"))));
        var p99 = Fmt(Median(use.Select(r => D(r, "latencyMs", "p99"))), 1);
        return ((double?)r0["rate"] ?? 0) > 0 ? $"{p99} ms ({del}/s)" : $"{del} (p99 {p99} ms)";
    }

    private static (List<JsonObject> use, bool noisy) Pick(List<JsonObject> list, double otherMax)
    {
        var clean = list.Where(r => Other(r) is not double d || d <= otherMax).ToList();
        return clean.Count > 0 ? (clean, false) : (list, true);
    }

    private static double? Other(JsonObject r) =>
        (string?)r["scenario"] == "connect" ? D(r, "connect", "otherPct") : D(r, "cpu", "otherPct");

    private static double? D(JsonObject r, params string[] path)
    {
        JsonNode? n = r;
        foreach (var p in path) n = n is JsonObject o ? o[p] : null;
        return n is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
    }

    private static double? Median(IEnumerable<double?> values)
    {
        var a = values.Where(v => v.HasValue).Select(v => v!.Value).OrderBy(v => v).ToArray();
        if (a.Length == 0) return null;
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    private static string Fmt(double? v, int decimals = 0) =>
        v is double d ? d.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "–";
}
