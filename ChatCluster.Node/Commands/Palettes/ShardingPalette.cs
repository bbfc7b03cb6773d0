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

    // Each Up node's region is asked for its own state (sharding's own messages and serializer): one node that does not
    // answer is shown as such instead of failing the whole listing, as a cluster-wide stats request would.
    private async Task ShardStats(CommandRequest r)
    {
        Region(r);
        var states = await RegionStatesAsync(Context0, r.Args["region"]!);
        foreach (var (address, state) in states)
        {
            if (state is null)
            {
                r.Reply.Line($"{address} | no answer", new JsonObject { ["node"] = address.ToString(), ["answered"] = false });
                continue;
            }
            var entities = state.Shards.Sum(s => s.EntityIds.Count);
            r.Reply.Line($"{address} | {state.Shards.Count} shards | {entities} entities",
                new JsonObject { ["node"] = address.ToString(), ["shards"] = state.Shards.Count, ["entities"] = entities });
            foreach (var shard in state.Shards.OrderBy(s => s.ShardId, StringComparer.Ordinal))
                r.Reply.Line($"  shard {shard.ShardId} | {shard.EntityIds.Count} entities",
                    new JsonObject { ["node"] = address.ToString(), ["shard"] = shard.ShardId, ["entities"] = shard.EntityIds.Count });
        }
        r.Reply.Line($"Count: {states.Count} nodes", new JsonObject { ["count"] = states.Count });
    }

    /// <summary>Every Up node's region state for <paramref name="typeName"/> (null for a node that did not answer), by address.</summary>
    public static async Task<List<(Address Node, CurrentShardRegionState? State)>> RegionStatesAsync(CommandContext context, string typeName)
    {
        var cluster = Akka.Cluster.Cluster.Get(context.System);
        var members = cluster.State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up)
            .Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
        var asks = members.Select(async address =>
        {
            try
            {
                var region = context.System.ActorSelection(new RootActorPath(address) / "system" / "sharding" / typeName);
                return (address, (CurrentShardRegionState?)await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, context.PeerTimeout));
            }
            catch (AskTimeoutException)
            {
                return (address, null);
            }
        });
        return (await Task.WhenAll(asks)).ToList();
    }

    /// <summary>Shard id → hosting node, for <c>chat rooms</c>.</summary>
    public static async Task<Dictionary<string, string>> ShardHomesAsync(CommandContext context)
    {
        var homes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (address, state) in await RegionStatesAsync(context, "room"))
            foreach (var shard in state?.Shards ?? Enumerable.Empty<ShardState>())
                homes[shard.ShardId] = address.ToString();
        return homes;
    }
}
