using System.Text.Json.Nodes;

namespace ChatCluster.Transports;

/// <summary>Websocket envelopes of ActionHero 29 (spec section 6.2): one JSON value per Primus frame.</summary>
public sealed class WebSocketResponseFormat : IResponseFormat
{
    public static readonly WebSocketResponseFormat Instance = new();

    /// <summary>Primus' deliberate-close notice; the client does not reconnect after it.</summary>
    public static readonly byte[] ServerClose = "\"primus::server::close\""u8.ToArray();

    private WebSocketResponseFormat() { }

    public byte[] Welcome(string text) => TcpResponseFormat.Instance.Welcome(text);

    public byte[] VerbOk(string? dataJson, string messageIdJson) => TcpResponseFormat.Instance.VerbOk(dataJson, messageIdJson);

    // status and error are both JavaScript's Error#toString(); data is the frame's leftovers.
    public byte[] VerbError(string error, string messageIdJson, string? dataJson) => ResponseWriter.Write((ErrorToString(error), messageIdJson, dataJson), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteString("status", s.Item1);
        w.WriteString("error", s.Item1);
        w.WriteString("context", "response");
        ResponseWriter.WriteRaw(w, "data", s.dataJson ?? "{}");
        ResponseWriter.WriteRaw(w, "messageId", s.messageIdJson);
        w.WriteEndObject();
    });

    public byte[] ActionReply(JsonObject response, string messageIdJson) => TcpResponseFormat.Instance.ActionReply(response, messageIdJson);

    // Missing context becomes "response", and a response without messageId gets the last frame's id.
    public byte[] Push(JsonObject message, string lastMessageIdJson) => ResponseWriter.Write((message, lastMessageIdJson), static (w, s) =>
    {
        w.WriteStartObject();
        ResponseWriter.WriteProperties(w, s.message);
        var context = s.message["context"];
        var isResponse = context is null || (context is JsonValue v && v.TryGetValue<string>(out var c) && c == "response");
        if (context is null) w.WriteString("context", "response");
        if (isResponse && !s.message.ContainsKey("messageId"))
            ResponseWriter.WriteRaw(w, "messageId", s.lastMessageIdJson);
        w.WriteEndObject();
    });

    /// <summary>JavaScript's <c>Error#toString()</c>; texts that already name another error class keep it.</summary>
    public static string ErrorToString(string message) =>
        message.StartsWith("TypeError: ", StringComparison.Ordinal) ? message : "Error: " + message;
}
