using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChatCluster.Bench.Faults;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Bench;

/// <summary>
/// The fault tools' TCP connection (FaultSession and HistoryReader both use it) against a real node: answers go to
/// the request in flight, chat and the goodbye to the owner, and every end (refused, quit) is a result reported once.
/// </summary>
public sealed class TcpFaultConnectionTests : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);

    private readonly NodeFixture _node;

    public TcpFaultConnectionTests(NodeFixture node) => _node = node;

    [Fact]
    public async Task Answers_go_to_the_request_and_chat_to_the_owner()
    {
        var room = await _node.NewRoomAsync();
        var pushed = new ConcurrentQueue<JsonObject>();
        await using var c = new TcpFaultConnection(pushed.Enqueue);
        Assert.True(await c.OpenAsync("127.0.0.1", _node.TcpPort, Answer), c.LastError);

        var details = await c.RequestAsync("detailsView", Answer);
        Assert.Contains((string)details!["data"]!["id"]!, _node.Node.Api.LocalConnectionIds());
        Assert.Equal("OK", (string?)(await c.RequestAsync($"roomAdd {room}", Answer))!["status"]);
        var said = await c.RequestAsync($"say {room} s1|7", Answer);
        Assert.Equal("OK", (string?)said!["status"]);
        Assert.Equal("response", (string?)said["context"]);

        await Eventually.TrueAsync(() => !pushed.IsEmpty, "the chat line reaches the owner");
        var chat = Assert.Single(pushed);
        Assert.Equal(("user", "s1|7", room), ((string?)chat["context"], (string?)chat["message"], (string?)chat["room"]));
        Assert.False(c.Closed.IsCompleted);
    }

    [Fact]
    public async Task Quit_ends_the_connection_once_and_the_goodbye_answers_no_request()
    {
        var pushed = new ConcurrentQueue<JsonObject>();
        var ends = 0;
        var c = new TcpFaultConnection(pushed.Enqueue, () => Interlocked.Increment(ref ends));
        Assert.True(await c.OpenAsync("127.0.0.1", _node.TcpPort, Answer), c.LastError);

        Assert.Null(await c.RequestAsync("quit", Answer));
        await c.Closed.WaitAsync(Answer);
        Assert.Equal("Bye!", (string?)Assert.Single(pushed)["status"]);
        Assert.Null(await c.RequestAsync("detailsView", Answer));
        await c.DisposeAsync();
        Assert.Equal(1, Volatile.Read(ref ends));
    }

    [Fact]
    public async Task A_refused_connection_is_a_result_not_an_exception()
    {
        var ends = 0;
        await using var c = new TcpFaultConnection(_ => { }, () => Interlocked.Increment(ref ends));
        Assert.False(await c.OpenAsync("127.0.0.1", FreePort.Next(), Answer));
        Assert.False(string.IsNullOrEmpty(c.LastError));
        Assert.True(c.Closed.IsCompleted);
        Assert.Null(await c.RequestAsync("detailsView", Answer));
        Assert.Equal(1, Volatile.Read(ref ends));
    }
}
