using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ChatCluster.Tests.Support;

/// <summary>
/// Exact comparison of wire text against ActionHero's captures: the raw text (so key order and spelling count)
/// with the values that change per run masked. <c>&lt;cid&gt;</c> = a given connection id, <c>&lt;uuid&gt;</c> = any
/// other uuid v4, <c>&lt;n&gt;</c> = the digits of <c>remotePort</c>, <c>connectedAt</c>, <c>joinedAt</c>, <c>sentAt</c>.
/// </summary>
public static partial class WireText
{
    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")]
    private static partial Regex Uuid();

    [GeneratedRegex("\"(remotePort|connectedAt|joinedAt|sentAt)\":[0-9]+")]
    private static partial Regex VaryingNumber();

    public static string Mask(string text, params string[] connectionIds)
    {
        for (var i = 0; i < connectionIds.Length; i++)
        {
            var name = connectionIds.Length == 1 ? "<cid>" : "<cid" + (char)('A' + i) + ">";
            text = text.Replace(connectionIds[i], name, StringComparison.Ordinal);
        }
        text = Uuid().Replace(text, "<uuid>");
        return VaryingNumber().Replace(text, m => "\"" + m.Groups[1].Value + "\":<n>");
    }

    /// <summary>The text is one valid JSON value and, masked, equals <paramref name="expected"/> character for character.</summary>
    public static void Equal(string expected, string actual, params string[] connectionIds)
    {
        _ = JsonNode.Parse(actual); // must be JSON at all
        Assert.Equal(expected, Mask(actual, connectionIds));
    }

    public static bool IsUuid(string? text) => text is not null && Uuid().IsMatch(text) && text.Length == 36;

    /// <summary>The property names of a JSON object, in wire order.</summary>
    public static string[] Keys(JsonNode? node) => node!.AsObject().Select(p => p.Key).ToArray();

    /// <summary>The verb error ActionHero 29 writes on a websocket (status and error are Error#toString()).</summary>
    public static string VerbError(string error, string dataJson, string messageIdJson) =>
        $"{{\"status\":\"{error}\",\"error\":\"{error}\",\"context\":\"response\",\"data\":{dataJson},\"messageId\":{messageIdJson}}}";

    public static bool IsUuidV4(string? s) => IsUuid(s);

    public static JsonObject Parse(string line) => JsonNode.Parse(line)!.AsObject();

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// The sender's two lines after its say: the OK reply and its own chat line, whichever comes first
    /// (their order is pinned by TcpVerbTests.Say_reply_comes_before_the_chat_line_on_the_senders_socket and VerbParityTests).
    /// </summary>
    public static async Task<(string Reply, string Chat)> ReadReplyAndChatAsync(this TcpTestClient c)
    {
        var one = await c.ReadLineAsync();
        var two = await c.ReadLineAsync();
        return one.StartsWith("{\"message\":", StringComparison.Ordinal) ? (two, one) : (one, two);
    }

}
