using System.Text.Json.Nodes;

namespace ChatCluster.Transports;

/// <summary>
/// The envelopes of one transport (spec sections 3, 5, 6). Every method returns one JSON value as UTF-8,
/// without delimiter or framing; ids are passed as JSON text so a numeric websocket messageId stays a number.
/// </summary>
public interface IResponseFormat
{
    /// <summary><c>{"welcome":…,"context":"api"}</c></summary>
    byte[] Welcome(string text);

    /// <summary><c>{"status":"OK","context":"response","data":…,"messageId":…}</c>; <c>data</c> omitted when null.</summary>
    byte[] VerbOk(string? dataJson, string messageIdJson);

    /// <summary>A failed verb. TCP: <c>{"error":"…","context":"response","messageId":…}</c>;
    /// websocket: <c>{"status":"Error: …","error":"Error: …","context":"response","data":…,"messageId":…}</c>.</summary>
    byte[] VerbError(string error, string messageIdJson, string? dataJson);

    /// <summary>An action's response: its fields (error as the bare message), then <c>context</c> and <c>messageId</c>.</summary>
    byte[] ActionReply(JsonObject response, string messageIdJson);

    /// <summary><c>connection.sendMessage(message)</c>: fills in context/messageId by the transport's rules.</summary>
    byte[] Push(JsonObject message, string lastMessageIdJson);
}
