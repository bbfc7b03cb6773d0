using System.Text;
using ChatCluster.Tests.Support;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Wire;

/// <summary>TCP input framing (spec section 5): line ends, empty lines, split writes, pipelining, quit/exit and break bytes.</summary>
public sealed class TcpFramingTests : IClassFixture<NodeFixture>
{
    private const string Bye = "{\"status\":\"Bye!\",\"context\":\"api\"}";
    private const string OkNoData = "{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"<uuid>\"}";
    private const string OkTrue = "{\"status\":\"OK\",\"context\":\"response\",\"data\":true,\"messageId\":\"<uuid>\"}";

    private readonly NodeFixture _node;

    public TcpFramingTests(NodeFixture node) => _node = node;

    private async Task<TcpTestClient> Client() => await (await _node.Tcp()).Welcomed();

    private static bool IsDetails(string line) => line.StartsWith("{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"id\":", StringComparison.Ordinal);

    private static async Task AssertStillServes(TcpTestClient c)
    {
        await c.SendLineAsync("detailsView");
        Assert.True(IsDetails(await c.ReadLineAsync()), "detailsView is answered");
    }

    // ---------------------------------------------------------------- quit, exit, break bytes

    [Theory]
    [InlineData("quit")]
    [InlineData("exit")]
    [InlineData("quit now please")]
    public async Task Quit_and_exit_say_goodbye_and_close(string line)
    {
        await using var c = await Client();
        var id = (string)Parse(await Line(c, "detailsView"))["data"]!["id"]!;
        await c.SendLineAsync(line);
        Assert.Equal(new[] { Bye }, await c.ReadToEndAsync());
        await Eventually.TrueAsync(() => Task.FromResult(!_node.Node.Api.LocalConnectionIds().Contains(id)), "the connection is gone from the node");
    }

    [Fact]
    public async Task Ctrl_D_alone_says_goodbye_and_closes()
    {
        await using var c = await Client();
        await c.SendAsync(new byte[] { 0x04 });
        Assert.Equal(new[] { Bye }, await c.ReadToEndAsync());
    }

    [Fact]
    public async Task Telnet_ctrl_C_alone_says_goodbye_and_closes()
    {
        await using var c = await Client();
        await c.SendAsync(new byte[] { 0xFF, 0xF4, 0xFF, 0xFD, 0x06 });
        Assert.Equal(new[] { Bye }, await c.ReadToEndAsync());
    }

    [Fact]
    public async Task Ctrl_D_followed_by_a_newline_in_one_chunk_is_not_a_break()
    {
        await using var c = await Client();
        await c.SendAsync(new byte[] { 0x04, 0x0A });
        Assert.Equal("{\"error\":\"unknown action or invalid apiVersion\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(await c.ReadLineAsync()));
        await AssertStillServes(c);
    }

    [Fact]
    public async Task Quitting_leaves_the_rooms()
    {
        var room = await _node.NewRoomAsync();
        await using var a = await Client();
        await using var b = await Client();
        Assert.Equal(OkTrue, Mask(await Line(a, $"roomAdd {room}")));
        Assert.Equal(OkTrue, Mask(await Line(b, $"roomAdd {room}")));
        await a.SendLineAsync("quit");
        Assert.Equal(new[] { Bye }, await a.ReadToEndAsync());
        await Eventually.TrueAsync(async () => (await _node.Node.Api.StatusAsync(room)).MembersCount == 1, "the member who quit leaves the room");
        Assert.True(await b.IsSilentAsync(), "nothing is broadcast about a leave");
    }

    // ---------------------------------------------------------------- line ends

    [Fact]
    public async Task Empty_lines_and_crlf_are_ignored()
    {
        await using var c = await Client();
        await c.SendAsync(Encoding.ASCII.GetBytes("\r\n\n\r\r\n"));
        await c.SendAsync(Encoding.ASCII.GetBytes("detailsView\r\n"));
        Assert.True(IsDetails(await c.ReadLineAsync()));
        Assert.True(await c.IsSilentAsync(), "the empty lines get no reply");
    }

    [Fact]
    public async Task A_carriage_return_alone_ends_a_line()
    {
        await using var c = await Client();
        await c.SendAsync(Encoding.ASCII.GetBytes("detailsView\r"));
        Assert.True(IsDetails(await c.ReadLineAsync()));
        await c.SendAsync(Encoding.ASCII.GetBytes("paramsView\rparamsDelete\r"));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":{},\"messageId\":\"<uuid>\"}", Mask(await c.ReadLineAsync()));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(await c.ReadLineAsync()));
        Assert.True(await c.IsSilentAsync());
    }

    [Fact]
    public async Task A_request_split_across_writes_is_answered_once_complete()
    {
        await using var c = await Client();
        await c.SendAsync(Encoding.ASCII.GetBytes("det"));
        Assert.True(await c.IsSilentAsync(), "no reply to a partial line");
        await c.SendAsync(Encoding.ASCII.GetBytes("ailsVi"));
        Assert.True(await c.IsSilentAsync(), "no reply to a partial line");
        await c.SendAsync(Encoding.ASCII.GetBytes("ew\n"));
        Assert.True(IsDetails(await c.ReadLineAsync()));
    }

    [Fact]
    public async Task A_multibyte_character_split_across_writes_survives()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        Assert.Equal(OkTrue, Mask(await Line(c, $"roomAdd {room}")));
        var bytes = Encoding.UTF8.GetBytes($"say {room} h\u00e9llo \u20ac\n");
        var cut = Array.IndexOf(bytes, (byte)0xE2) + 1; // inside the euro sign
        await c.SendAsync(bytes[..cut]);
        Assert.True(await c.IsSilentAsync());
        await c.SendAsync(bytes[cut..]);
        var (reply, chat) = await c.ReadReplyAndChatAsync();
        Assert.Equal(OkNoData, Mask(reply));
        Assert.Equal("h\u00e9llo \u20ac", (string?)Parse(chat)["message"]);
    }

    // ---------------------------------------------------------------- pipelining

    [Fact]
    public async Task Pipelined_roomAdd_and_say_are_answered_in_order()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        await c.SendAsync(Encoding.UTF8.GetBytes($"roomAdd {room}\nsay {room} hi\n"));

        var first = await c.ReadLineAsync();
        var (second, third) = await c.ReadReplyAndChatAsync(); // say OK vs chat line: see TcpVerbTests
        Assert.Equal(OkTrue, Mask(first));
        Assert.Equal(OkNoData, Mask(second));
        Assert.Equal($"{{\"message\":\"hi\",\"room\":\"{room}\",\"from\":\"<uuid>\",\"context\":\"user\",\"sentAt\":<n>}}", Mask(third));
        Assert.NotEqual((string?)Parse(first)["messageId"], (string?)Parse(second)["messageId"]);
    }

    [Fact]
    public async Task Pipelined_lines_get_replies_in_order_with_distinct_ids()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        await c.SendAsync(Encoding.UTF8.GetBytes($"detailsView\nroomView nosuch\nroomAdd nosuch\nroomAdd {room}\nroomView {room}\nroomLeave {room}\nhello\n"));

        var lines = new List<string>();
        for (var i = 0; i < 7; i++) lines.Add(await c.ReadLineAsync());
        Assert.True(IsDetails(lines[0]), lines[0]);
        Assert.Equal("{\"error\":\"connection not in this room (nosuch)\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(lines[1]));
        Assert.Equal("{\"error\":\"room does not exist\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(lines[2]));
        Assert.Equal(OkTrue, Mask(lines[3]));
        Assert.StartsWith($"{{\"status\":\"OK\",\"context\":\"response\",\"data\":{{\"room\":\"{room}\",", lines[4]);
        Assert.Equal(OkTrue, Mask(lines[5]));
        Assert.Equal("{\"error\":\"unknown action or invalid apiVersion\",\"context\":\"response\",\"messageId\":\"<uuid>\"}", Mask(lines[6]));
        var ids = lines.Select(l => (string?)Parse(l)["messageId"]).ToList();
        Assert.Equal(7, ids.Distinct().Count());
        Assert.True(await c.IsSilentAsync());
    }

    [Fact]
    public async Task Pipelined_paramAdd_messageId_applies_to_the_next_line()
    {
        await using var c = await Client();
        await c.SendAsync(Encoding.UTF8.GetBytes("paramAdd messageId=pm1\nroomAdd nosuch\n"));
        var first = await c.ReadLineAsync();
        Assert.Equal(OkNoData, Mask(first));
        Assert.NotEqual("pm1", (string?)Parse(first)["messageId"]);
        Assert.Equal("{\"error\":\"room does not exist\",\"context\":\"response\",\"messageId\":\"pm1\"}", await c.ReadLineAsync());
    }

    private static async Task<string> Line(TcpTestClient c, string request)
    {
        await c.SendLineAsync(request);
        return await c.ReadLineAsync();
    }
}
