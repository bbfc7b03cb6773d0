using System.Text;
using System.Text.RegularExpressions;
using ChatCluster.Tests.Support;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// Hostile or oversized TCP input with the test config (chatcluster.tcp.max-line-bytes = 65536):
/// the line is refused with ActionHero's "data length is too big" reply and the connection stays usable.
/// </summary>
public sealed class TcpLimitsTests : IClassFixture<NodeFixture>
{
    private const int MaxLine = 65536;

    private readonly NodeFixture _node;

    public TcpLimitsTests(NodeFixture node) => _node = node;

    private async Task<TcpTestClient> Client() => await (await _node.Tcp()).Welcomed();

    private static bool IsDetails(string line) => line.StartsWith("{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"id\":", StringComparison.Ordinal);

    /// <summary>A detailsView, returning its messageId (the connection's current messageId).</summary>
    private static async Task<string> Details(TcpTestClient c)
    {
        await c.SendLineAsync("detailsView");
        var line = await c.ReadLineAsync();
        Assert.True(IsDetails(line), line);
        return (string)Parse(line)["messageId"]!;
    }

    private static string TooBig(long received, string messageId) =>
        $"{{\"status\":\"error\",\"error\":\"data length is too big ({MaxLine} received/{received} max)\",\"context\":\"response\",\"messageId\":\"{messageId}\"}}";

    private static readonly Regex TooBigPattern = new(
        "^\\{\"status\":\"error\",\"error\":\"data length is too big \\(65536 received/([0-9]+) max\\)\",\"context\":\"response\",\"messageId\":\"([^\"]+)\"\\}$");

    /// <summary>Asserts the too-big reply shape and messageId; returns the length it reports.</summary>
    private static long AssertTooBig(string line, string messageId)
    {
        var match = TooBigPattern.Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(messageId, match.Groups[2].Value);
        return long.Parse(match.Groups[1].Value);
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_and_the_connection_stays_usable()
    {
        await using var c = await Client();
        var lastId = await Details(c);

        await c.SendAsync(Encoding.ASCII.GetBytes(new string('x', 70_000) + "\n"));
        // the exact length is pinned by A_line_over_the_limit_reports_its_full_length (see the bug there)
        Assert.InRange(AssertTooBig(await c.ReadLineAsync(), lastId), MaxLine + 1, 70_000);

        await Details(c);
        Assert.True(await c.IsSilentAsync(), "one error only");
    }

    [Fact]
    public async Task A_line_over_the_limit_reports_its_full_length()
    {
        await using var c = await Client();
        var lastId = await Details(c);

        var line = Encoding.ASCII.GetBytes(new string('x', 70_000) + "\n");
        await c.SendAsync(line[..66_000]);
        await Task.Delay(300); // not synchronization: makes the server read the first part as a chunk of its own
        await c.SendAsync(line[66_000..]);
        Assert.Equal(TooBig(70_000, lastId), await c.ReadLineAsync());
        await Details(c);
    }

    [Fact]
    public async Task A_line_one_byte_over_the_limit_is_refused()
    {
        await using var c = await Client();
        var lastId = await Details(c);
        await c.SendAsync(Encoding.ASCII.GetBytes(new string('y', MaxLine + 1) + "\n"));
        Assert.Equal(TooBig(MaxLine + 1, lastId), await c.ReadLineAsync());
        await Details(c);
    }

    [Fact]
    public async Task A_line_of_exactly_the_limit_is_processed()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        await c.SendLineAsync($"roomAdd {room}");
        Assert.Equal("OK", (string?)Parse(await c.ReadLineAsync())["status"]);

        var prefix = $"say {room} ";
        var message = new string('m', MaxLine - prefix.Length);
        await c.SendAsync(Encoding.ASCII.GetBytes(prefix + message + "\n"));
        var (reply, chat) = await c.ReadReplyAndChatAsync();
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(reply));
        Assert.Equal(message, (string?)Parse(chat)["message"]);
    }

    [Fact]
    public async Task The_limit_counts_utf8_bytes_not_characters()
    {
        await using var c = await Client();
        var lastId = await Details(c);
        // 40,000 characters, 80,000 bytes
        var line = new string('\u00e9', 40_000);
        await c.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
        Assert.InRange(AssertTooBig(await c.ReadLineAsync(), lastId), MaxLine + 1, 80_000);
        await Details(c);
    }

    [Fact]
    public async Task Unterminated_input_over_the_limit_is_refused_once_then_lines_work_after_a_newline()
    {
        await using var c = await Client();
        var lastId = await Details(c);

        var chunk = Encoding.ASCII.GetBytes(new string('z', 50_000));
        for (var i = 0; i < 5; i++) await c.SendAsync(chunk); // 250,000 bytes, no newline
        await c.SendAsync(Encoding.ASCII.GetBytes("tail-of-the-long-line\ndetailsView\n"));

        // one error for the whole oversized line (whenever the server sends it), then the next line is served
        Assert.InRange(AssertTooBig(await c.ReadLineAsync(), lastId), MaxLine + 1, 250_100);
        var next = await c.ReadLineAsync();
        Assert.True(IsDetails(next), "the rest of the long line is dropped and the next line is served, got: " + next);
        Assert.True(await c.IsSilentAsync());
    }

    [Fact]
    public async Task Binary_garbage_never_kills_the_connection()
    {
        await using var c = await Client();
        var random = new Random(20240601);
        var garbage = new byte[256 * 1024];
        random.NextBytes(garbage);
        // break it into lines of up to ~200 bytes; keep a long run without newline as well
        for (var i = random.Next(200); i < garbage.Length - 100_000; i += 1 + random.Next(200)) garbage[i] = (byte)'\n';
        for (var i = 0; i < 1024; i += 64) await c.SendAsync(garbage[(i * 256)..((i + 64) * 256)]);
        await c.SendAsync(Encoding.ASCII.GetBytes("\ndetailsView\n"));

        // every garbage line is answered (unknown action or a too-long error); the detailsView reply comes last
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        string line;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "detailsView was not answered after the garbage");
            line = await c.ReadLineAsync();
        }
        while (!IsDetails(line));
        await Details(c);
    }

    [Fact]
    public async Task Garbage_does_not_disturb_other_connections()
    {
        var room = await _node.NewRoomAsync();
        await using var bystander = await Client();
        await bystander.SendLineAsync($"roomAdd {room}");
        Assert.Equal("OK", (string?)Parse(await bystander.ReadLineAsync())["status"]);

        await using (var attacker = await Client())
        {
            var junk = new byte[100_000];
            new Random(7).NextBytes(junk);
            await attacker.SendAsync(junk);
        }

        await bystander.SendLineAsync($"say {room} still here");
        var (reply, chat) = await bystander.ReadReplyAndChatAsync();
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(reply));
        Assert.Equal("still here", (string?)Parse(chat)["message"]);
    }
}
