using System.Text.Json.Nodes;
using ChatCluster.Messages;

namespace ChatCluster.Node.Actions.BuiltIn;

/// <summary>
/// ActionHero's sample action: create the room if it is missing; <c>{name, didCreate}</c>. Open to everyone, as in
/// ActionHero, except that a name matching chatcluster.auth.protected-rooms needs an admin, and callers without the
/// admin role are held to chatcluster.auth.create (per connection, per address per minute, rooms in total).
/// </summary>
public sealed class CreateChatRoomAction : ChatAction
{
    public override string Name => "createChatRoom";

    public override string Description => "Create a chat room if it does not exist yet.";

    public override IReadOnlyList<ActionInput> Inputs { get; } = new[] { new ActionInput("name") { Required = true } };

    public override async Task<JsonObject> RunAsync(ActionContext context)
    {
        var name = context.Param("name")!;
        var services = context.Services;
        var connection = context.Connection;
        if (services.Auth.IsAdmin(connection)) return Reply(context, await context.Chat.CreateIfMissingAsync(name));
        if (services.Auth.IsProtected(name)) throw new ActionException(ChatErrors.AdminRequired, 403);

        var caps = services.Auth.Creation;
        if (await RoomCount.LocalAsync(services.System) >= caps.MaxRooms)
        {
            // At the cap an existing room still answers as before; only a new one is refused.
            if (await context.Chat.ExistsAsync(name)) return Reply(context, false);
            throw new ActionException(ChatErrors.RoomLimitReached(caps.MaxRooms), 503);
        }

        var connectionId = connection.Type == ActionHttpEndpoint.ConnectionType ? null : connection.Id;
        if (services.CreationQuota.TryTake(connectionId, connection.RemoteIp, ActionServices.Now(), services.Connections.IsOpen) is { } refusal)
            throw new ActionException(refusal, 429);
        var didCreate = false;
        try
        {
            didCreate = await context.Chat.CreateIfMissingAsync(name);
            return Reply(context, didCreate);
        }
        finally
        {
            if (!didCreate) services.CreationQuota.GiveBack(connectionId, connection.RemoteIp);
        }
    }

    private static JsonObject Reply(ActionContext context, bool didCreate) =>
        new() { ["name"] = context.Params["name"]!.DeepClone(), ["didCreate"] = didCreate };
}
