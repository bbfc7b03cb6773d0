using System.Text.Json.Nodes;

namespace ChatCluster.Node.Actions.BuiltIn;

/// <summary>ActionHero's sample action: create the room if it is missing; <c>{name, didCreate}</c>.</summary>
public sealed class CreateChatRoomAction : ChatAction
{
    public override string Name => "createChatRoom";

    public override string Description => "Create a chat room if it does not exist yet.";

    public override IReadOnlyList<ActionInput> Inputs { get; } = new[] { new ActionInput("name") { Required = true } };

    public override async Task<JsonObject> RunAsync(ActionContext context)
    {
        var didCreate = await context.Chat.CreateIfMissingAsync(context.Param("name")!);
        return new JsonObject { ["name"] = context.Params["name"]!.DeepClone(), ["didCreate"] = didCreate };
    }
}
