using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatCluster.Transports.Primus;

/// <summary>
/// Primus (JSON parser) messages of ActionHero 29's websocket server, as pure functions: a text message in,
/// a <see cref="PrimusInbound"/> out (spec 6.1, 6.2 handleData); control strings out.
/// </summary>
public static class PrimusCodec
{
    private const string PongPrefix = "primus::pong::";
    private const string IdRequestText = "primus::id::";

    /// <summary>
    /// A binary message is never parsed as JSON by ActionHero: it becomes a request without event whose data is
    /// Node's Buffer JSON, <c>{"type":"Buffer","data":[…]}</c> [observed].
    /// </summary>
    /// <remarks>
    /// That echo is ~3.6 bytes of reply per byte received, so only messages up to <paramref name="echoMaxBytes"/>
    /// (chatcluster.websocket.binary-echo-max-bytes) get it; larger ones are refused with a short error.
    /// </remarks>
    public static PrimusInbound DecodeBinary(ReadOnlySpan<byte> bytes, int echoMaxBytes = int.MaxValue)
    {
        if (bytes.Length > echoMaxBytes) return PrimusInbound.Refuse(ChatCluster.Messages.ChatErrors.BinaryMessageRefused(bytes.Length));
        var data = new JsonArray();
        foreach (var b in bytes) data.Add(b);
        var buffer = new JsonObject { ["type"] = "Buffer", ["data"] = data };
        return new PrimusInbound(PrimusInboundKind.Request, NotARequest(buffer));
    }

    public static PrimusInbound Decode(ReadOnlySpan<byte> utf8)
    {
        JsonNode? node;
        try
        {
            node = JsonText.Parse(utf8);
        }
        catch (JsonLoneSurrogateException e)
        {
            return PrimusInbound.Refuse(e.Message); // valid JSON to Primus; we cannot hold the string, so we say so
        }
        catch (JsonException)
        {
            return PrimusInbound.Ignored; // Primus drops undecodable messages silently [observed]
        }
        catch (ArgumentException)
        {
            return PrimusInbound.Ignored; // invalid UTF-8
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            if (text.StartsWith(PongPrefix, StringComparison.Ordinal)) return PrimusInbound.Pong;
            if (text == IdRequestText) return PrimusInbound.IdRequest;
        }
        // Any other JSON value (a number, a string, an array, null) is a request without event: ActionHero answers
        // "verb not found or not allowed (undefined)" with the value as data (and crashes on null; we don't).
        return new PrimusInbound(PrimusInboundKind.Request, node is JsonObject obj ? ToRequest(obj) : NotARequest(node));
    }

    private static ClientRequest NotARequest(JsonNode? value) =>
        new("undefined", Array.Empty<string?>(), null, JsonText.Serialize(value));

    /// <summary>ActionHero's handleData: event → verb, messageId kept as JSON, room first, then the other values.</summary>
    public static ClientRequest ToRequest(JsonObject frame)
    {
        // String(event): a missing event is "undefined", an explicit null "null".
        var verb = frame.TryGetPropertyValue("event", out var eventNode)
            ? (eventNode is null ? "null" : JsonText.ToJsString(eventNode) ?? "undefined")
            : "undefined";
        frame.Remove("event");

        var messageIdNode = frame["messageId"];
        var messageIdJson = JsonText.IsTruthy(messageIdNode) ? JsonText.Serialize(messageIdNode) : null;
        frame.Remove("messageId");

        if (verb == "action")
        {
            var actionParams = frame["params"] as JsonObject;
            if (actionParams is not null) frame.Remove("params");
            return new ClientRequest(verb, Array.Empty<string?>(), messageIdJson, JsonText.Serialize(frame), actionParams ?? new JsonObject());
        }

        var words = new List<string?>(frame.Count);
        JsonValueKind? firstKind = null;
        var roomNode = frame["room"];
        if (JsonText.IsTruthy(roomNode))
        {
            words.Add(JsonText.ToJsString(roomNode));
            firstKind = roomNode!.GetValueKind();
            frame.Remove("room");
        }
        foreach (var (_, v) in frame)
        {
            if (words.Count == 0) firstKind = v?.GetValueKind() ?? JsonValueKind.Null;
            words.Add(JsonText.ToJsString(v));
        }
        return new ClientRequest(verb, words, messageIdJson, JsonText.Serialize(frame), FirstArgKind: firstKind);
    }

    public static byte[] Ping(long unixMs) => Encoding.UTF8.GetBytes("\"primus::ping::" + unixMs.ToString(CultureInfo.InvariantCulture) + "\"");

    public static byte[] Id(string sparkId) => Encoding.UTF8.GetBytes(JsonText.Quote("primus::id::" + sparkId));

    /// <summary><c>GET /primus/spec</c>, as Primus 8 answers it.</summary>
    public static string Spec(int pingIntervalMs, string pathname) =>
        $"{{\"pingInterval\":{pingIntervalMs.ToString(CultureInfo.InvariantCulture)},\"pathname\":{JsonText.Quote(pathname)},\"version\":\"8.0.9\",\"parser\":\"json\",\"transformer\":\"websockets\"}}";
}
