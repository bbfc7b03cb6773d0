using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Transports;

namespace ChatCluster.Node.Core;

/// <summary>
/// The chat payload as middleware sees it, <c>{message, room, from, context:"user", sentAt}</c>, and back.
/// Only message, room, from and sentAt survive onSayReceive (ActionHero rebuilds the bus message from them).
/// </summary>
public static class ChatPayloadJson
{
    public static JsonObject ToJson(ChatPayload p) => new()
    {
        ["message"] = JsonNode.Parse(p.MessageJson),
        ["room"] = p.Room,
        ["from"] = p.From,
        ["context"] = "user",
        ["sentAt"] = p.SentAt,
    };

    public static ChatPayload FromJson(JsonObject json, ChatPayload original)
    {
        var room = json["room"] is JsonValue r && r.TryGetValue<string>(out var rs) ? rs : original.Room;
        var from = json["from"] is JsonValue f ? JsonText.ToJsString(f) ?? original.From : original.From;
        var sentAt = json["sentAt"] is JsonValue s && s.TryGetValue<long>(out var sl) ? sl : original.SentAt;
        var message = json.TryGetPropertyValue("message", out var m) ? JsonText.Serialize(m) : "null";
        return new ChatPayload(room, from, message, sentAt);
    }
}
