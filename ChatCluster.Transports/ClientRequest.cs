using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatCluster.Transports;

/// <summary>
/// One decoded client request, the same shape for both transports.
/// <list type="bullet">
/// <item><see cref="Verb"/>: the verb or event name (<c>"undefined"</c> when a websocket frame has none).</item>
/// <item><see cref="Args"/>: the verb's words, already coerced to strings the way ActionHero does
/// (TCP: split on single spaces; websocket: <c>room</c> first, then the other values in key order;
/// <c>null</c> stands for JavaScript's null/undefined).</item>
/// <item><see cref="MessageIdJson"/>: websocket only, the frame's messageId as JSON text (numbers stay numbers);
/// null when the frame had none, or on TCP (the connection picks it from its sticky params).</item>
/// <item><see cref="DataJson"/>: websocket only, what is left of the frame without event/room/messageId,
/// echoed as <c>data</c> in verb errors.</item>
/// <item><see cref="Json"/>: the parsed request object when there is one (TCP JSON lines, websocket
/// <c>action</c> params), for actions.</item>
/// </list>
/// </summary>
public sealed record ClientRequest(
    string Verb,
    IReadOnlyList<string?> Args,
    string? MessageIdJson = null,
    string? DataJson = null,
    JsonObject? Json = null,
    string? RawLine = null,
    JsonValueKind? FirstArgKind = null)
{
    /// <summary>
    /// The first word came from a JSON value that is not a string (websocket only): JavaScript would compare it
    /// by identity with the connection's room names, so it never names a joined room.
    /// </summary>
    public bool FirstArgIsNotString => FirstArgKind is { } kind && kind != JsonValueKind.String;

    /// <summary>The first word is falsy in JavaScript (missing, "", or a JSON 0 / false / null).</summary>
    public bool FirstArgIsFalsy => Arg(0) is not { Length: > 0 } first
        || FirstArgKind == JsonValueKind.False
        || FirstArgKind == JsonValueKind.Null
        || (FirstArgKind == JsonValueKind.Number && first == "0");

    public string? Arg(int index) => index < Args.Count ? Args[index] : null;

    /// <summary>The words after the first, joined with one space (JavaScript's <c>join</c>: null becomes empty).</summary>
    public string JoinFrom(int index)
    {
        if (index >= Args.Count) return string.Empty;
        if (index == Args.Count - 1) return Args[index] ?? string.Empty;
        var parts = new string[Args.Count - index];
        for (var i = index; i < Args.Count; i++) parts[i - index] = Args[i] ?? string.Empty;
        return string.Join(' ', parts);
    }
}
