using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// The command line: options are data (name, HOCON key, help), each turned into a HOCON override line
/// only when given, so unset options never shadow the files.
/// </summary>
public static class NodeCommand
{
    private sealed record Option(string Name, string Value, string Help, Func<string, string>? ToHocon);

    private static readonly Option[] Options =
    {
        new("--bind", "ADDRESS", "address the TCP and web servers listen on (chatcluster.bind, default 127.0.0.1)", v => $"chatcluster.bind = {Q(v)}"),
        new("--tcp-port", "PORT", "TCP socket server port, 0 = any free port (chatcluster.tcp.port, default 5000)", v => $"chatcluster.tcp.port = {Int(v)}"),
        new("--web-port", "PORT", "web/websocket port, 0 = any free port (chatcluster.websocket.port, default 8080)", v => $"chatcluster.websocket.port = {Int(v)}"),
        new("--no-tcp", "", "turn the TCP socket server off", _ => "chatcluster.tcp.enabled = off"),
        new("--no-websocket", "", "turn the web/websocket server off", _ => "chatcluster.websocket.enabled = off"),
        new("--rooms", "A,B,...", "starting rooms (chatcluster.starting-rooms, default defaultRoom,anotherRoom); empty for none", v => $"chatcluster.starting-rooms = [{string.Join(",", Split(v).Select(Q))}]"),
        new("--ping-interval", "DURATION", "Primus heartbeat interval, e.g. 30s (chatcluster.websocket.ping-interval)", v => $"chatcluster.websocket.ping-interval = {v}"),
        new("--akka-port", "PORT", "cluster (Akka remoting) port; seed default 4053, worker default any free port", v => $"akka.remote.dot-netty.tcp.port = {Int(v)}"),
        new("--public-hostname", "HOST", "address other nodes use to reach this one when it differs from the bound one, e.g. a container's (akka.remote.dot-netty.tcp.public-hostname)", v => $"akka.remote.dot-netty.tcp.public-hostname = {Q(v)}"),
        new("--hostname", "HOST", "address other nodes use to reach this one (akka.remote.dot-netty.tcp.hostname, default 127.0.0.1)", v => $"akka.remote.dot-netty.tcp.hostname = {Q(v)}"),
        new("--seed-nodes", "ADDR,...", "seed node addresses, e.g. akka.tcp://chatcluster@127.0.0.1:4053 (akka.cluster.seed-nodes)", v => $"akka.cluster.seed-nodes = [{string.Join(",", Split(v).Select(Q))}]"),
        new("--redis", "HOST:PORT", "ActionHero-compatible Redis key store and pub/sub on this server (chatcluster.redis.keystore and .pubsub; off by default)", v => $"chatcluster.redis {{ keystore = {Q(v)}, pubsub = {Q(v)} }}"),
        new("--cmd-port", "PORT", "ccm command listener port, 0 = any free port (chatcluster.cmd.port, default 9110)", v => $"chatcluster.cmd.port = {Int(v)}"),
        new("--cmd-host", "ADDRESS", "ccm command listener address (chatcluster.cmd.host, default 127.0.0.1; any other needs a token)", v => $"chatcluster.cmd.host = {Q(v)}"),
        new("--presence", "", "send join/leave presence notices to room members (chatcluster.rooms.presence-events)", _ => "chatcluster.rooms.presence-events = on"),
        new("--management-port", "PORT", "management listener port: /metrics, /healthz/live, /healthz/ready (chatcluster.management.port, default 9464; 0 = any free port)", v => $"chatcluster.management.port = {Int(v)}"),
        new("--log-format", "FORMAT", "text or json (one JSON object per line) for every log line, Akka's included (chatcluster.log-format)", v => $"chatcluster.log-format = {Q(Format(v))}"),
        new("--config", "FILE", "extra HOCON file layered over hocon/base.conf (may repeat)", null),
        new("--log-level", "LEVEL", "trace, debug, information, warning or error (default information)", null),
        new("--help", "", "show this help", null),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        NodeOptions options;
        try
        {
            options = Parse(args, out var help);
            if (help)
            {
                Console.WriteLine(Help());
                return 0;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Help());
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });

        ChatNode node;
        try
        {
            node = await ChatNode.StartAsync(options);
        }
        catch (Exception e) when (e is Akka.Configuration.ConfigurationException or FileNotFoundException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        // A drain started by ccm (node drain, cluster leave) ends with the actor system too; the process ends with it.
        if (await Task.WhenAny(stop.Task, node.System.WhenTerminated) != stop.Task && !node.DrainRequested)
        {
            // Downed (the minority side of a partition, or removed by the cluster): the clients were told goodbye during
            // the shutdown; a supervisor restarts the node, which then joins as a new incarnation.
            node.Logger.LogError("this node was removed from the cluster (downed); its clients were told goodbye; exiting");
            await node.StopAsync();
            return 3;
        }
        node.Logger.LogInformation("draining: {Count} connections get their goodbye, then the node leaves the cluster", node.Services.Connections.Count);
        await node.DrainAsync();
        return 0;
    }

    public static NodeOptions Parse(string[] args, out bool help)
    {
        help = false;
        var overrides = new List<string>();
        var files = new List<string>();
        var keyValues = new List<string>();
        var level = LogLevel.Information;
        var start = 0;
        // The role comes first: "seed" or "worker" layer hocon/seed.conf or hocon/worker.conf; none = a cluster of one.
        if (args.Length > 0 && args[0] is "seed" or "worker")
        {
            files.Add(args[0] + ".conf");
            start = 1;
        }
        for (var i = start; i < args.Length; i++)
        {
            var arg = args[i];
            if (ConfigOverrides.IsOverride(arg))
            {
                keyValues.Add(arg);
                continue;
            }
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            var option = Options.FirstOrDefault(o => o.Name == name) ?? throw new ArgumentException($"unknown option {arg}");
            string value = "";
            if (option.Value.Length > 0)
            {
                if (eq > 0) value = arg[(eq + 1)..];
                else if (i + 1 < args.Length) value = args[++i];
                else throw new ArgumentException($"{name} needs a value ({option.Value})");
            }
            switch (name)
            {
                case "--help": help = true; break;
                case "--config": files.Add(value); break;
                case "--log-level":
                    if (!Enum.TryParse(value, ignoreCase: true, out level)) throw new ArgumentException($"--log-level: unknown level {value}");
                    overrides.Add($"akka.loglevel = {AkkaLevel(level)}");
                    break;
                default: overrides.Add(option.ToHocon!(value)); break;
            }
        }
        // Later options win: the first override line has the highest priority; --config files beat the role file.
        overrides.Reverse();
        files.Reverse();
        return new NodeOptions { Overrides = overrides, ConfigFiles = files, LogLevel = level, KeyValueArgs = keyValues };
    }

    public static string Help()
    {
        var lines = new List<string>
        {
            "ChatCluster node: ActionHero-compatible chat (TCP socket server + Primus websocket) on an Akka.NET cluster.",
            "",
            "usage: dotnet run --project ChatCluster.Host -- [seed|worker] [options]",
            "",
            "  (no role)  a cluster of one: the embedded default, no other node or service needed",
            "  seed       a seed node on a fixed cluster port (hocon/seed.conf; --akka-port, default 4053)",
            "  worker     joins the cluster through --seed-nodes (hocon/worker.conf)",
            "",
            "options:",
        };
        foreach (var o in Options)
            lines.Add($"  {(o.Name + (o.Value.Length > 0 ? " " + o.Value : "")),-26} {o.Help}");
        lines.Add("");
        lines.Add("  --chatcluster.KEY=VALUE    any HOCON key, e.g. --chatcluster.tcp.port=5005 or --akka.cluster.seed-nodes.0=akka.tcp://...");
        lines.Add("");
        lines.Add("Environment variables override any key too: chatcluster__tcp__port=5005, akka__cluster__seed_nodes__0=akka.tcp://...");
        lines.Add("(__ between segments, _ for -, numbered segments make a list). Priority: options > --KEY=VALUE > environment >");
        lines.Add("--config files > seed/worker.conf > hocon/base.conf. Every setting and its default: hocon/base.conf.");
        lines.Add("Stop with Ctrl-C or SIGTERM: the node drains (not ready, goodbye to every client, rooms handed over, leaves).");
        return string.Join(Environment.NewLine, lines);
    }

    private static string AkkaLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        _ => "ERROR",
    };

    private static string Format(string v) => v.ToLowerInvariant() is "text" or "json" ? v.ToLowerInvariant() : throw new ArgumentException($"--log-format: text or json, not {v}");

    private static IEnumerable<string> Split(string v) => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Q(string v) => ChatCluster.Transports.JsonText.Quote(v);

    private static string Int(string v) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
        ? n.ToString(CultureInfo.InvariantCulture)
        : throw new ArgumentException($"not a number: {v}");
}
