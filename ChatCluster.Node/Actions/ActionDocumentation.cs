using System.Text.Json.Nodes;
using ChatCluster.Transports;

namespace ChatCluster.Node.Actions;

/// <summary>The actions as v20's <c>documentation</c> verb lists them.</summary>
public static class ActionDocumentation
{
    /// <summary>v20's <c>documentation</c>: <c>{action:{"1":{name, version, description, inputs:{name:{required, default}}}}}</c>.</summary>
    public static string Of(IEnumerable<ChatAction> actions)
    {
        var docs = new JsonObject();
        foreach (var action in actions)
        {
            var inputs = new JsonObject();
            foreach (var input in action.Inputs)
                inputs[input.Name] = new JsonObject { ["required"] = input.Required, ["default"] = input.Default?.DeepClone() };
            docs[action.Name] = new JsonObject
            {
                ["1"] = new JsonObject { ["name"] = action.Name, ["version"] = 1, ["description"] = action.Description, ["inputs"] = inputs },
            };
        }
        return JsonText.Serialize(docs);
    }
}
