using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Sharding;
using ChatCluster.Node.Rooms;
using ChatCluster.Transports;

namespace ChatCluster.Node.Commands.Palettes;

/// <summary>ChatCluster's <c>node</c> palette: what this node is doing, and its drain.</summary>
public sealed class NodePalette : PaletteActor
{
    public NodePalette(CommandContext context) : base(context)
    {
        Verb("status", Status);
        Verb("drain", Drain);
    }

    public static Props Props(CommandContext context) => Akka.Actor.Props.Create(() => new NodePalette(context));

    private async Task Status(CommandRequest r)
    {
        var c = Context0;
        var listeners = c.Listeners();
        var byTransport = c.Services.Connections.All.GroupBy(x => x.View.Type).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        var hosted = await HostedRoomsAsync();
        void Fact(string key, string text, JsonNode? value) => r.Reply.Line($"{key}: {text}", new JsonObject { [key] = value });
        Fact("version", CommandContext.Version, CommandContext.Version);
        Fact("address", c.SelfAddress.ToString(), c.SelfAddress.ToString());
        var uptime = DateTimeOffset.UtcNow - c.StartedAt;
        Fact("uptime", uptime.ToString(@"d\.hh\:mm\:ss"), (long)uptime.TotalSeconds);
        Fact("listeners", $"tcp {(listeners.TcpPort > 0 ? $"{listeners.Bind}:{listeners.TcpPort}" : "off")}, " +
            $"websocket {(listeners.WebPort > 0 ? $"{listeners.Bind}:{listeners.WebPort}" : "off")}, ccm {listeners.CmdHost}:{listeners.CmdPort}",
            new JsonObject { ["bind"] = listeners.Bind, ["tcp"] = listeners.TcpPort, ["websocket"] = listeners.WebPort, ["cmdHost"] = listeners.CmdHost, ["cmd"] = listeners.CmdPort });
        Fact("config", string.Join(" > ", c.ConfigSources), new JsonArray(c.ConfigSources.Select(s => (JsonNode?)s).ToArray()));
        Fact("connections", byTransport.Count == 0 ? "0" : $"{c.Services.Connections.Count} ({string.Join(", ", byTransport.Select(kv => $"{kv.Key} {kv.Value}"))})",
            new JsonObject(byTransport.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))) { ["total"] = c.Services.Connections.Count });
        Fact("rooms-hosted", $"{hosted.Count} [{string.Join(", ", hosted)}]", new JsonArray(hosted.Select(h => (JsonNode?)h).ToArray()));
        Fact("outbound-overflows", PipeClientTransport.Overflows.ToString(), PipeClientTransport.Overflows);
        Fact("read-only", c.Settings.ReadOnly ? "on" : "off", c.Settings.ReadOnly);
    }

    // The room entities alive on this node right now (a room passivated while idle is not listed until used again).
    private async Task<List<string>> HostedRoomsAsync()
    {
        var state = await Context0.Services.RoomRegion.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Context0.PeerTimeout);
        return state.Shards.SelectMany(s => s.EntityIds).Select(RoomMessageExtractor.RoomOf).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    private async Task Drain(CommandRequest r)
    {
        CmdLog.Draining(Context0.Logger, null);
        await Context0.Drain.DrainAsync(line => r.Reply.Line(line, new JsonObject { ["progress"] = line }), r.Args.Duration("timeout"));
    }
}
