using System.Text.Json.Nodes;

namespace ChatCluster.Transports;

/// <summary>TCP envelopes of ActionHero 20's socket server (spec section 5). The transport appends <c>\r\n</c>.</summary>
public sealed class TcpResponseFormat : IResponseFormat
{
    public static readonly TcpResponseFormat Instance = new();

    /// <summary>The goodbye line, <c>{"status":"Bye!","context":"api"}</c>.</summary>
    public static readonly byte[] Goodbye = "{\"status\":\"Bye!\",\"context\":\"api\"}"u8.ToArray();

    private TcpResponseFormat() { }

    public byte[] Welcome(string text) => ResponseWriter.Write(text, static (w, t) =>
    {
        w.WriteStartObject();
        w.WriteString("welcome", t);
        w.WriteString("context", "api");
        w.WriteEndObject();
    });

    public byte[] VerbOk(string? dataJson, string messageIdJson) => ResponseWriter.Write((dataJson, messageIdJson), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteString("status", "OK");
        w.WriteString("context", "response");
        if (s.dataJson is not null) ResponseWriter.WriteRaw(w, "data", s.dataJson);
        ResponseWriter.WriteRaw(w, "messageId", s.messageIdJson);
        w.WriteEndObject();
    });

    // v20: {error, context, messageId}: no status, no "Error: " prefix [observed].
    public byte[] VerbError(string error, string messageIdJson, string? dataJson) => ResponseWriter.Write((error, messageIdJson), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteString("error", s.error);
        w.WriteString("context", "response");
        ResponseWriter.WriteRaw(w, "messageId", s.messageIdJson);
        w.WriteEndObject();
    });

    /// <summary>The reply to a line over the length limit: <c>{"status":"error","error":…,"context":"response","messageId":…}</c>.</summary>
    public byte[] LineTooLong(string error, string messageIdJson) => ResponseWriter.Write((error, messageIdJson), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteString("status", "error");
        w.WriteString("error", s.error);
        w.WriteString("context", "response");
        ResponseWriter.WriteRaw(w, "messageId", s.messageIdJson);
        w.WriteEndObject();
    });

    /// <summary>A notice about the connection itself, not a reply (refused, timed out):
    /// <c>{"status":"error","error":…,"context":"api"}</c>.</summary>
    public static byte[] ConnectionError(string error) => ResponseWriter.Write(error, static (w, e) =>
    {
        w.WriteStartObject();
        w.WriteString("status", "error");
        w.WriteString("error", e);
        w.WriteString("context", "api");
        w.WriteEndObject();
    });

    public byte[] ActionReply(JsonObject response, string messageIdJson) => ResponseWriter.Write((response, messageIdJson), static (w, s) =>
    {
        w.WriteStartObject();
        ResponseWriter.WriteProperties(w, s.response, "context", "messageId");
        w.WriteString("context", "response");
        ResponseWriter.WriteRaw(w, "messageId", s.messageIdJson);
        w.WriteEndObject();
    });

    // v20 adds messageId only to "response" pushes and never adds a default context.
    public byte[] Push(JsonObject message, string lastMessageIdJson) => ResponseWriter.Write((message, lastMessageIdJson), static (w, s) =>
    {
        w.WriteStartObject();
        ResponseWriter.WriteProperties(w, s.message);
        var context = s.message["context"];
        if (context is JsonValue v && v.TryGetValue<string>(out var c) && c == "response" && !s.message.ContainsKey("messageId"))
            ResponseWriter.WriteRaw(w, "messageId", s.lastMessageIdJson);
        w.WriteEndObject();
    });
}
