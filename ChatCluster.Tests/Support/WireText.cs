using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ChatCluster.Tests.Support;

/// <summary>
/// Helpers for asserting exact wire text: mask the parts that vary (uuids, timestamps, ports) so a whole
/// line, key order included, can be compared with one string; read key order; poll observable state.
/// </summary>
public static partial class WireText
{
    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex UuidPattern();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidV4Pattern();

    [GeneratedRegex("\"(sentAt|joinedAt|connectedAt|remotePort)\":[0-9]+")]
    private static partial Regex NumberFieldPattern();

    /// <summary>Every uuid becomes <c>&lt;uuid&gt;</c>; sentAt/joinedAt/connectedAt/remotePort values become <c>&lt;n&gt;</c>.</summary>
    public static string Mask(string line) =>
        NumberFieldPattern().Replace(UuidPattern().Replace(line, "<uuid>"), "\"$1\":<n>");

    public static bool IsUuidV4(string? s) => s is not null && UuidV4Pattern().IsMatch(s);

    /// <summary>The keys of a JSON object in wire order.</summary>
    public static string[] Keys(JsonNode? node) => node!.AsObject().Select(p => p.Key).ToArray();

    public static JsonObject Parse(string line) => JsonNode.Parse(line)!.AsObject();

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// The sender's two lines after its say: the OK reply and its own chat line, whichever comes first
    /// (their order is pinned by TcpVerbTests.Say_reply_comes_before_the_chat_line_on_the_senders_socket alone).
    /// </summary>
    public static async Task<(string Reply, string Chat)> ReadReplyAndChatAsync(this TcpTestClient c)
    {
        var one = await c.ReadLineAsync();
        var two = await c.ReadLineAsync();
        return one.StartsWith("{\"message\":", StringComparison.Ordinal) ? (two, one) : (one, two);
    }

    /// <summary>
    /// Re-evaluates <paramref name="probe"/> until it returns true, at most <see cref="Timeouts.Expect"/>
    /// (a short pause between tries); fails with <paramref name="because"/> otherwise.
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> probe, string because)
    {
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            if (await probe()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not reached within " + Timeouts.Expect + ": " + because);
            await Task.Delay(50);
        }
    }
}
