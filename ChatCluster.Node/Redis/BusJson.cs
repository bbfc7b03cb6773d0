using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Transports;

namespace ChatCluster.Node.Redis;

/// <summary>One message read from the bus that passed the serverToken filter (spec 2).</summary>
public sealed record BusMessage(
    string MessageType,
    string? ServerId,
    string? MessageId,
    string? Method,
    string? ConnectionId,
    JsonArray Args,
    bool HasResponse,
    string? ResponseJson,
    ChatPayload? Chat);

/// <summary>
/// ActionHero's bus and member formats as pure functions, key order exactly as ActionHero's <c>JSON.stringify</c>
/// writes them (spec 1 and 2): chat <c>{messageType, serverToken, serverId, message, sentAt, connection:{id, room}}</c>,
/// do <c>{messageType, serverId, serverToken, messageId, method, connectionId?, args}</c>,
/// doResponse <c>{messageType, serverId, serverToken, messageId, response?}</c>,
/// member value <c>{"id","joinedAt","host"}</c>.
/// </summary>
public static class BusJson
{
    public static string Chat(string serverToken, string serverId, ChatPayload p) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("messageType", RedisChatKeys.Chat);
        w.WriteString("serverToken", serverToken);
        w.WriteString("serverId", serverId);
        w.WritePropertyName("message");
        w.WriteRawValue(p.MessageJson, skipInputValidation: true);
        w.WriteNumber("sentAt", p.SentAt);
        w.WriteStartObject("connection");
        w.WriteString("id", p.From);
        w.WriteString("room", p.Room);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static string Do(string serverId, string serverToken, string messageId, string method, string? connectionId, JsonArray args) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("messageType", RedisChatKeys.Do);
        w.WriteString("serverId", serverId);
        w.WriteString("serverToken", serverToken);
        w.WriteString("messageId", messageId);
        w.WriteString("method", method);
        if (connectionId is not null) w.WriteString("connectionId", connectionId);
        w.WritePropertyName("args");
        args.WriteTo(w);
        w.WriteEndObject();
    });

    /// <param name="responseJson">The return value as JSON; null when it was undefined (the key is then omitted).</param>
    public static string DoResponse(string serverId, string serverToken, string messageId, string? responseJson) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("messageType", RedisChatKeys.DoResponse);
        w.WriteString("serverId", serverId);
        w.WriteString("serverToken", serverToken);
        w.WriteString("messageId", messageId);
        if (responseJson is not null)
        {
            w.WritePropertyName("response");
            w.WriteRawValue(responseJson, skipInputValidation: true);
        }
        w.WriteEndObject();
    });

    /// <summary>The hash value of a member: <c>{"id":…,"joinedAt":…,"host":…}</c> (generateMemberDetails).</summary>
    public static string MemberValue(string connectionId, long joinedAt, string host) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", connectionId);
        w.WriteNumber("joinedAt", joinedAt);
        w.WriteString("host", host);
        w.WriteEndObject();
    });

    /// <summary>
    /// Reads a member value; <c>{}</c> (written by ActionHero 21–27.1.2), garbage or missing fields give nulls, never
    /// an exception.
    /// </summary>
    public static (string? Id, long? JoinedAt, string? Host) ParseMember(string? value)
    {
        if (string.IsNullOrEmpty(value)) return (null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(value);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, null, null);
            var root = doc.RootElement;
            string? id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            long? joinedAt = root.TryGetProperty("joinedAt", out var j) && j.ValueKind == JsonValueKind.Number && j.TryGetInt64(out var jl) ? jl : null;
            string? host = root.TryGetProperty("host", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
            return (id, joinedAt, host);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    /// <summary>
    /// Parses a bus message and applies ActionHero's filter: not JSON → <c>{}</c>; a different serverToken → null
    /// (ignored). Unknown message types are returned too (the caller ignores them).
    /// </summary>
    public static BusMessage? Parse(string text, string serverToken)
    {
        JsonObject obj;
        try
        {
            obj = JsonText.Parse(text) as JsonObject ?? new JsonObject();
        }
        catch (JsonException)
        {
            obj = new JsonObject();
        }
        if (Str(obj["serverToken"]) != serverToken) return null;
        var type = Str(obj["messageType"]) ?? "";
        var args = obj["args"] switch
        {
            null => new JsonArray(),
            JsonArray a => (JsonArray)a.DeepClone(),
            var other => new JsonArray(other.DeepClone()),
        };
        var hasResponse = obj.TryGetPropertyValue("response", out var response);
        ChatPayload? chat = null;
        if (type == RedisChatKeys.Chat && obj["connection"] is JsonObject connection && Str(connection["room"]) is { } room)
        {
            var from = JsonText.ToJsString(connection["id"]) ?? "";
            var sentAt = obj["sentAt"] is JsonValue s && s.TryGetValue<long>(out var sl) ? sl
                : obj["sentAt"] is JsonValue d && d.TryGetValue<double>(out var sd) ? (long)sd
                : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var message = obj.TryGetPropertyValue("message", out var m) ? JsonText.Serialize(m) : "null";
            chat = new ChatPayload(room, from, message, sentAt);
        }
        return new BusMessage(type, Str(obj["serverId"]), JsonText.ToJsString(obj["messageId"]), Str(obj["method"]),
            JsonText.ToJsString(obj["connectionId"]), args, hasResponse, hasResponse ? JsonText.Serialize(response) : null, chat);
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, JsonText.WriterOptions)) body(w);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
