namespace ChatCluster.Tests.Support;

/// <summary>
/// The exact replies of one client dialect, written once: ActionHero 20's TCP line protocol and ActionHero 29's
/// websocket differ in the welcome, in the error shape (v29 prefixes <c>Error: </c>, repeats it as
/// <c>status</c> and echoes the request's unused keys as <c>data</c>; v20 has neither) and in the messageId
/// (v20 a uuid per request, masked to <c>"&lt;uuid&gt;"</c>; v29 the client's own id echoed).
/// Parity tests compare <see cref="WireText.Mask"/>ed replies with these strings character for character.
/// </summary>
public sealed class WireDialect
{
    public static readonly WireDialect Tcp = new(
        "{\"welcome\":\"Hello! Welcome to the actionhero api\",\"context\":\"api\"}",
        (text, _, messageId) => $"{{\"error\":\"{text}\",\"context\":\"response\",\"messageId\":{messageId}}}");

    public static readonly WireDialect Ws = new(
        "{\"welcome\":\"Welcome to the actionhero api\",\"context\":\"api\"}",
        (text, data, messageId) => WireText.VerbError("Error: " + text, data, messageId));

    private readonly Func<string, string, string, string> _verbError;

    private WireDialect(string welcome, Func<string, string, string, string> verbError)
    {
        Welcome = welcome;
        _verbError = verbError;
    }

    /// <summary>A v20 messageId (a fresh uuid) as <see cref="WireText.Mask"/> leaves it.</summary>
    public const string AnyUuid = "\"<uuid>\"";

    public static WireDialect Of(Transport transport) => transport == Transport.Tcp ? Tcp : Ws;

    /// <summary>The first line or frame of every connection.</summary>
    public string Welcome { get; }

    /// <summary>A verb's success reply; <paramref name="dataJson"/> null for replies without a data key (say).</summary>
    public string Ok(string? dataJson, string messageIdJson) =>
        "{\"status\":\"OK\",\"context\":\"response\"" + (dataJson is null ? "" : ",\"data\":" + dataJson) + ",\"messageId\":" + messageIdJson + "}";

    /// <summary>
    /// A verb's error reply for the catalogue text <paramref name="text"/>; <paramref name="leftoversJson"/> is the
    /// websocket's echo of the request's unused keys (the TCP reply has no data).
    /// </summary>
    public string VerbError(string text, string leftoversJson, string messageIdJson) => _verbError(text, leftoversJson, messageIdJson);

    /// <summary>An action's reply in both dialects: the action's own fields (or <c>"error":…</c>), then context and messageId.</summary>
    public static string ActionReply(string fieldsJson, string messageIdJson) =>
        $"{{{fieldsJson},\"context\":\"response\",\"messageId\":{messageIdJson}}}";

    /// <summary>A chat message as every member receives it (the same in both dialects).</summary>
    public static string Chat(string message, string room, string from) =>
        $"{{\"message\":{System.Text.Json.JsonSerializer.Serialize(message)},\"room\":\"{room}\",\"from\":\"{from}\",\"context\":\"user\",\"sentAt\":<n>}}";

    /// <summary>The detailsView data of a fresh connection, masked with its id as <c>&lt;cid&gt;</c>.</summary>
    public static string Details(string roomsJson = "[]") =>
        "{\"id\":\"<cid>\",\"fingerprint\":\"<cid>\",\"remoteIP\":\"127.0.0.1\",\"remotePort\":<n>,\"params\":{},\"connectedAt\":<n>," +
        $"\"rooms\":{roomsJson},\"totalActions\":0,\"pendingActions\":0}}";
}
