using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Clustering;

/// <summary>One 3-node cluster for the class (in process, real sockets); every test uses its own rooms.</summary>
public sealed class ThreeNodeClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[Collection("cluster")]
public sealed class ClusterChatTests : IClassFixture<ThreeNodeClusterFixture>
{
    private readonly TestCluster _cluster;

    public ClusterChatTests(ThreeNodeClusterFixture fixture) => _cluster = fixture.Cluster;

    private async Task<TcpTestClient> Tcp(int node) => await (await TcpTestClient.ConnectAsync(_cluster[node].TcpPort)).Welcomed();

    private async Task<WebSocketTestClient> Ws(int node) => await (await WebSocketTestClient.ConnectAsync(_cluster[node].WebPort)).Welcomed();

    private static async Task Join(TcpTestClient c, string room) => Assert.Equal("OK", (string?)(await c.RequestAsync($"roomAdd {room}"))["status"]);

    private static async Task<string> IdOf(TcpTestClient c) => (string)(await c.RequestAsync("detailsView"))["data"]!["id"]!;

    private async Task<string> NewRoom() { var r = "c-" + Guid.NewGuid().ToString("N")[..10]; await _cluster[1].Api.AddAsync(r); return r; }

    [Fact]
    public async Task Clients_on_every_node_should_receive_every_message_of_their_room()
    {
        var room = await NewRoom();
        await using var a = await Tcp(0);
        await using var b = await Ws(1);
        await using var c = await Tcp(2);
        await Join(a, room);
        Assert.Equal("OK", (string?)(await b.RequestAsync(new { @event = "roomAdd", room, messageId = 1 }))["status"]);
        await Join(c, room);

        await a.SendLineAsync($"say {room} from node0");
        await b.SendJsonAsync(new { @event = "say", room, message = "from node1", messageId = 2 });
        await c.SendLineAsync($"say {room} from node2");

        // the three says race each other: every member gets all three, in the room's one order
        var expected = new[] { "from node0", "from node1", "from node2" };
        var atA = await ChatLines(() => a.ReadJsonAsync(), 3);
        var atB = await ChatLines(() => b.ReadJsonAsync(), 3);
        var atC = await ChatLines(() => c.ReadJsonAsync(), 3);
        Assert.Equal(expected, atA.Order());
        Assert.Equal(atA, atB);
        Assert.Equal(atA, atC);
    }

    private static async Task<List<string>> ChatLines(Func<Task<JsonObject>> read, int count)
    {
        var seen = new List<string>();
        while (seen.Count < count)
        {
            var m = await read();
            if ((string?)m["context"] == "user") seen.Add((string)m["message"]!);
        }
        return seen;
    }

    [Fact]
    public async Task Concurrent_senders_on_different_nodes_should_be_seen_in_one_order_by_every_member()
    {
        const int perSender = 40;
        var room = await NewRoom();
        var clients = new List<TcpTestClient>();
        for (var i = 0; i < 3; i++) clients.Add(await Tcp(i));
        try
        {
            foreach (var c in clients) await Join(c, room);
            // every client sends concurrently (pipelined lines), and every client receives all 3 × perSender messages
            await Task.WhenAll(clients.Select((c, i) =>
                c.SendAsync(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, perSender).Select(n => $"say {room} s{i}-{n}\n"))))));
            var sequences = await Task.WhenAll(clients.Select(async c =>
            {
                var seen = new List<string>();
                while (seen.Count < 3 * perSender)
                {
                    var m = await c.ReadJsonAsync();
                    if ((string?)m["context"] == "user") seen.Add((string)m["message"]!);
                }
                return seen;
            }));
            Assert.Equal(sequences[0], sequences[1]);
            Assert.Equal(sequences[0], sequences[2]);
            for (var i = 0; i < 3; i++) // each sender's own messages keep their order
                Assert.Equal(Enumerable.Range(0, perSender).Select(n => $"s{i}-{n}"), sequences[0].Where(s => s.StartsWith($"s{i}-", StringComparison.Ordinal)));
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_message_said_right_after_a_join_reply_should_reach_the_new_member()
    {
        await using var sayer = await Tcp(2);
        for (var i = 0; i < 10; i++)
        {
            var room = await NewRoom();
            await using var joiner = await Tcp(i % 2);
            await Join(sayer, room);
            await Join(joiner, room); // no join window: from this reply on, every message reaches the joiner
            await sayer.SendLineAsync($"say {room} right after {i}");
            var m = await joiner.ReadUntilAsync(x => (string?)x["context"] == "user");
            Assert.Equal($"right after {i}", (string?)m["message"]);
            await sayer.ReadUntilAsync(x => (string?)x["message"] == $"right after {i}");
        }
    }

    [Fact]
    public async Task RoomView_should_list_the_members_on_every_node()
    {
        var room = await NewRoom();
        await using var a = await Tcp(0);
        await using var b = await Tcp(1);
        await using var c = await Tcp(2);
        foreach (var x in new[] { a, b, c }) await Join(x, room);
        var ids = new[] { await IdOf(a), await IdOf(b), await IdOf(c) };
        var view = await b.RequestAsync($"roomView {room}");
        Assert.Equal(3, (int)view["data"]!["membersCount"]!);
        Assert.Equal(ids.OrderBy(x => x), view["data"]!["members"]!.AsObject().Select(p => p.Key).OrderBy(x => x));
        var status = await _cluster[0].Api.StatusAsync(room);
        Assert.Equal(3, status.MembersCount);
    }

    [Fact]
    public async Task SendMessage_and_set_should_reach_a_connection_on_another_node()
    {
        await using var far = await Tcp(2);
        var id = await IdOf(far);
        Assert.True(await _cluster[0].Api.SendMessageAsync(id, new JsonObject { ["note"] = "hello from node0", ["context"] = "alert" }));
        var pushed = await far.ReadUntilAsync(m => m["note"] is not null);
        Assert.Equal("hello from node0", (string?)pushed["note"]);
        Assert.False(await _cluster[0].Api.SendMessageAsync(Guid.NewGuid().ToString(), new JsonObject { ["x"] = 1 }));

        // the documented idiom: connections.apply(id, "set", ["authenticated", true]) unlocks a protected room
        var secret = "private:" + Guid.NewGuid().ToString("N");
        await _cluster[1].Api.AddAsync(secret);
        Assert.Equal("you must authenticate to join this room", (string?)(await far.RequestAsync($"roomAdd {secret}"))["error"]);
        Assert.True(await _cluster[0].Api.SetPropertyAsync(id, "authenticated", JsonValue.Create(true)));
        await Join(far, secret);
    }

    [Fact]
    public async Task Destroying_a_room_on_one_node_should_remove_its_members_on_every_node()
    {
        var room = await NewRoom();
        await using var a = await Tcp(0);
        await using var b = await Tcp(2);
        await Join(a, room);
        await Join(b, room);
        await _cluster[1].Api.DestroyAsync(room);
        foreach (var c in new[] { a, b })
        {
            var m = await c.ReadUntilAsync(x => (string?)x["context"] == "user");
            Assert.Equal("this room has been deleted", (string?)m["message"]);
            Assert.Equal("0", (string?)m["from"]);
            Assert.Equal($"connection not in this room ({room})", (string?)(await c.RequestAsync($"say {room} still here?"))["error"]);
        }
        Assert.False(await _cluster[0].Api.ExistsAsync(room));
    }

    [Fact]
    public async Task Closing_a_connection_from_another_node_should_say_goodbye_and_leave_its_rooms()
    {
        var room = await NewRoom();
        await using var a = await Tcp(0);
        await using var b = await Tcp(2);
        await Join(a, room);
        await Join(b, room);
        var id = await IdOf(b);
        Assert.True(await _cluster[0].Api.CloseConnectionAsync(id));
        Assert.Contains("{\"status\":\"Bye!\",\"context\":\"api\"}", await b.ReadToEndAsync());
        await Eventually.TrueAsync(async () => (await _cluster[1].Api.StatusAsync(room)).MembersCount == 1, "the closed connection left the room");
    }

    [Fact]
    public async Task Rooms_should_be_listed_on_every_node()
    {
        var room = await NewRoom();
        foreach (var node in _cluster.Nodes)
            await Eventually.TrueAsync(async () => (await node.Api.ListAsync()).Contains(room), $"{room} listed on {node.Address}");
    }
}
