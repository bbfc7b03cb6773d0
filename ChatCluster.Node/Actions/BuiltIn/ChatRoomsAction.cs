using ChatCluster.Messages;
using System.Text.Json.Nodes;
using ChatCluster.Node.Api;

namespace ChatCluster.Node.Actions.BuiltIn;

/// <summary>Every room with its member count: <c>{rooms:[{name, membersCount}]}</c>.</summary>
public sealed class ChatRoomsAction : ChatAction
{
    public override string Name => "chatRooms";

    public override string Description => "List the chat rooms with their member counts.";

    public override async Task<JsonObject> RunAsync(ActionContext context)
    {
        var rooms = new JsonArray();
        foreach (var room in await context.Chat.ListAsync())
        {
            int count;
            try
            {
                count = (await context.Chat.StatusAsync(room)).MembersCount;
            }
            catch (ChatException)
            {
                continue; // destroyed while we were listing
            }
            rooms.Add(new JsonObject { ["name"] = room, ["membersCount"] = count });
        }
        return new JsonObject { ["rooms"] = rooms };
    }
}
