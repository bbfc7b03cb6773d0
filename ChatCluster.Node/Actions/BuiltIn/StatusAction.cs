using System.Text.Json.Nodes;
using Akka.Cluster;

namespace ChatCluster.Node.Actions.BuiltIn;

/// <summary>The node's status: id (cluster address), uptime, local connections, rooms, cluster members.</summary>
public sealed class StatusAction : ChatAction
{
    public override string Name => "status";

    public override string Description => "Status of this ChatCluster node.";

    public override async Task<JsonObject> RunAsync(ActionContext context)
    {
        var system = context.Services.System;
        var cluster = Cluster.Get(system);
        var rooms = await context.Chat.ListAsync();
        return new JsonObject
        {
            ["id"] = cluster.SelfAddress.ToString(),
            ["name"] = "chatcluster",
            ["description"] = "ActionHero-compatible chat on an Akka.NET cluster",
            ["version"] = typeof(StatusAction).Assembly.GetName().Version?.ToString(),
            ["uptime"] = (long)system.Uptime.TotalMilliseconds,
            ["connections"] = context.Services.Connections.Count,
            ["rooms"] = rooms.Count,
            ["clusterMembers"] = cluster.State.Members.Count,
            ["nodeStatus"] = "Node Healthy",
        };
    }
}
