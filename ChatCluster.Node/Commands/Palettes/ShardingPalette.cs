using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ChatCluster.Node.Commands.Palettes;

/// <summary>pbm's <c>cluster-sharding</c> palette.</summary>
public sealed class ShardingPalette : PaletteActor
{
    public ShardingPalette(CommandContext context) : base(context)
    {
        Verb("regions", Regions);
        Verb("region-stats", RegionStats);
        Verb("shard-stats", ShardStats);
    }

    public static Props Props(CommandContext context) => Akka.Actor.Props.Create(() => new ShardingPalette(context));

    private Task Regions(CommandRequest r)
    {
        var names = ClusterSharding.Get(Context0.System).ShardTypeNames.OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var name in names) r.Reply.Line(name, new JsonObject { ["region"] = name });
        r.Reply.Line($"Count: {names.Count} regions", new JsonObject { ["count"] = names.Count });
        return Task.CompletedTask;
    }

    private IActorRef Region(CommandRequest r)
    {
        var name = r.Args["region"]!;
        if (!ClusterSharding.Get(Context0.System).ShardTypeNames.Contains(name)) throw new CommandException($"no shard region named {name}");
        return ClusterSharding.Get(Context0.System).ShardRegion(name);
    }

    private async Task RegionStats(CommandRequest r)
    {
        var stats = await Region(r).Ask<ShardRegionStats>(GetShardRegionStats.Instance, Context0.PeerTimeout);
        foreach (var (shard, count) in stats.Stats.OrderBy(s => s.Key, StringComparer.Ordinal))
            r.Reply.Line($"shard {shard} | {count} entities", new JsonObject { ["shard"] = shard, ["entities"] = count });
        r.Reply.Line($"Count: {stats.Stats.Count} shards, {stats.Stats.Values.Sum()} entities on {Context0.SelfAddress}",
            new JsonObject { ["shards"] = stats.Stats.Count, ["entities"] = stats.Stats.Values.Sum(), ["failed"] = stats.Failed.Count });
    }

    private async Task ShardStats(CommandRequest r)
    {
        var stats = await Region(r).Ask<ClusterShardingStats>(new GetClusterShardingStats(Context0.PeerTimeout), Context0.PeerTimeout + Context0.PeerTimeout);
        foreach (var (address, region) in stats.Regions.OrderBy(x => x.Key.ToString(), StringComparer.Ordinal))
        {
            r.Reply.Line($"{address} | {region.Stats.Count} shards | {region.Stats.Values.Sum()} entities",
                new JsonObject { ["node"] = address.ToString(), ["shards"] = region.Stats.Count, ["entities"] = region.Stats.Values.Sum() });
            foreach (var (shard, count) in region.Stats.OrderBy(s => s.Key, StringComparer.Ordinal))
                r.Reply.Line($"  shard {shard} | {count} entities", new JsonObject { ["node"] = address.ToString(), ["shard"] = shard, ["entities"] = count });
        }
        r.Reply.Line($"Count: {stats.Regions.Count} nodes", new JsonObject { ["count"] = stats.Regions.Count });
    }

    /// <summary>Shard id → hosting node, for <c>chat rooms</c>.</summary>
    public static async Task<Dictionary<string, string>> ShardHomesAsync(CommandContext context)
    {
        var region = ClusterSharding.Get(context.System).ShardRegion("room");
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(context.PeerTimeout), context.PeerTimeout + context.PeerTimeout);
        var homes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (address, regionStats) in stats.Regions)
            foreach (var shard in regionStats.Stats.Keys)
                homes[shard] = address.ToString();
        return homes;
    }
}
