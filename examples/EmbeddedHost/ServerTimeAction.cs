using System.Text.Json.Nodes;
using ChatCluster.Node.Actions;

namespace EmbeddedHost;

/// <summary>An action of the application: <c>serverTime</c> over TCP, websocket and <c>/api/serverTime</c>.</summary>
public sealed class ServerTimeAction : ChatAction
{
    public override string Name => "serverTime";

    public override string Description => "The host's clock, in milliseconds since the epoch.";

    public override Task<JsonObject> RunAsync(ActionContext context) =>
        Task.FromResult(new JsonObject { ["serverTime"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
}
