using System.Text.Json.Nodes;
using ChatCluster.Messages;

namespace ChatCluster.Node.Actions.BuiltIn;

/// <summary>
/// Destroy a room: its members are told "this room has been deleted" and removed; <c>{name, didDestroy}</c>.
/// Only an admin may (chatcluster.auth.admins): it removes everyone from a room, protected rooms included.
/// </summary>
public sealed class DestroyChatRoomAction : ChatAction
{
    public override string Name => "destroyChatRoom";

    public override string Description => "Destroy a chat room and remove its members (admins only).";

    public override IReadOnlyList<ActionInput> Inputs { get; } = new[] { new ActionInput("name") { Required = true } };

    public override async Task<JsonObject> RunAsync(ActionContext context)
    {
        if (!context.Services.Auth.IsAdmin(context.Connection)) throw new ActionException(ChatErrors.AdminRequired, 403);
        await context.Chat.DestroyAsync(context.Param("name")!);
        return new JsonObject { ["name"] = context.Params["name"]!.DeepClone(), ["didDestroy"] = true };
    }
}
