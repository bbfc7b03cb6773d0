using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.History;

/// <summary>A 3-node cluster with history on (in process, real sockets) for the history wire tests.</summary>
public sealed class HistoryClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(3,
        """chatcluster.history.rooms = [ { pattern = "small-*", size = 10, ttl = 0 }, { pattern = "brief-*", size = 100, ttl = 1s }, { pattern = "*", size = 100, ttl = 5m } ]""");

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Positions, roomHistory and recovery over real sockets, across nodes (docs/history.md).</summary>
[Collection("cluster")]
public sealed class HistoryWireTests : IClassFixture<HistoryClusterFixture>
{
    private readonly TestCluster _cluster;

    public HistoryWireTests(HistoryClusterFixture fixture) => _cluster = fixture.Cluster;

    private async Task<TcpTestClient> Tcp(int node) => await (await TcpTestClient.ConnectAsync(_cluster[node].TcpPort)).Welcomed();

    private async Task<WebSocketTestClient> Ws(int node) => await (await WebSocketTestClient.ConnectAsync(_cluster[node].WebPort)).Welcomed();

    private async Task<string> NewRoom(string prefix = "h")
    {
        var room = prefix + "-" + Guid.NewGuid().ToString("N")[..10];
        await _cluster[1].Api.AddAsync(room);
        return room;
    }

    private static bool IsChat(JsonObject m) => (string?)m["context"] == "user";

    private static bool IsResponse(JsonObject m) => (string?)m["context"] == "response";

    // The sender's says, pipelined; returns once the sender got its own copy of the last one (so all were ordered).
    private static async Task SayAll(TcpTestClient sender, string room, IEnumerable<string> messages)
    {
        var list = messages.ToList();
        foreach (var m in list) await sender.SendLineAsync($"say {room} {m}");
        // Every say answered and the last one's copy seen, in either order: with members on other nodes the OK comes
        // once they confirmed, after the sender's own copy.
        var answered = 0;
        var lastSeen = false;
        while (answered < list.Count || !lastSeen)
        {
            var line = await sender.ReadUntilAsync(j => IsResponse(j) || (IsChat(j) && (string?)j["message"] == list[^1]));
            if (IsResponse(line))
            {
                Assert.Equal("OK", (string?)line["status"]);
                answered++;
            }
            else lastSeen = true;
        }
    }

    [Fact]
    public async Task A_client_that_missed_50_messages_should_get_exactly_those_through_another_node_then_live_ones()
    {
        var room = await NewRoom();
        await using var sender = await Tcp(0);
        Assert.Equal("OK", (string?)(await sender.RequestAsync($"roomAdd {room}"))["status"]);

        long epochSeen, lastSeen;
        await using (var before = await Ws(1))
        {
            var joined = await before.RequestAsync(new { @event = "roomAdd", room, positions = true, messageId = 1 });
            Assert.Equal("OK", (string?)joined["status"]);
            await SayAll(sender, room, new[] { "before" });
            var seen = await before.ReadUntilAsync(IsChat);
            Assert.Equal("before", (string?)seen["message"]);
            Assert.Equal((long)joined["data"]!["offset"]! + 1, (long)seen["offset"]!);
            Assert.Equal((string?)joined["data"]!["epoch"], (string?)seen["epoch"]);
            epochSeen = long.Parse((string)seen["epoch"]!);
            lastSeen = (long)seen["offset"]!;
        }

        var missed = Enumerable.Range(1, 50).Select(i => "missed-" + i).ToArray();
        await SayAll(sender, room, missed);

        await using var after = await Ws(2); // another node than before, and than the room's sender
        await after.SendJsonAsync(new { @event = "roomAdd", room, since = new { offset = lastSeen, epoch = epochSeen.ToString() }, messageId = 2 });
        // The missed messages first, in order, then the reply (the node writes the replay before it hands the reply on).
        var chat = new List<JsonObject>();
        for (var i = 0; i < 50; i++) chat.Add(await after.ReadJsonAsync());
        Assert.All(chat, m => Assert.True(IsChat(m), m.ToJsonString()));
        var reply = await after.ReadJsonAsync();
        Assert.True(IsResponse(reply), reply.ToJsonString());
        Assert.Equal("OK", (string?)reply["status"]);
        Assert.True((bool)reply["data"]!["recovered"]!);
        Assert.Equal(50, (int)reply["data"]!["replayed"]!);
        Assert.Equal(lastSeen + 50, (long)reply["data"]!["offset"]!);
        Assert.Equal(missed, chat.Select(m => (string)m["message"]!));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => lastSeen + i), chat.Select(m => (long)m["offset"]!));

        await SayAll(sender, room, new[] { "live" });
        var live = await after.ReadUntilAsync(IsChat);
        Assert.Equal("live", (string?)live["message"]);
        Assert.Equal(lastSeen + 51, (long)live["offset"]!);
        Assert.True(await after.IsSilentAsync()); // no duplicate of anything
    }

    [Fact]
    public async Task Offsets_should_be_gap_free_and_agree_on_every_node_under_concurrent_senders()
    {
        const int perSender = 30;
        var room = await NewRoom();
        var clients = new List<TcpTestClient>();
        for (var i = 0; i < 3; i++) clients.Add(await Tcp(i));
        try
        {
            var starts = new List<long>();
            foreach (var c in clients) starts.Add((long)(await c.RequestAsync($"roomAdd {room} positions"))["data"]!["offset"]!);
            await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
            {
                for (var n = 0; n < perSender; n++) await c.SendLineAsync($"say {room} s{i}-{n}");
            })));
            var seen = new List<List<(long Offset, string Message)>>();
            foreach (var c in clients)
            {
                var got = new List<(long, string)>();
                while (got.Count < 3 * perSender)
                {
                    var m = await c.ReadJsonAsync();
                    if (IsChat(m)) got.Add(((long)m["offset"]!, (string)m["message"]!));
                }
                seen.Add(got);
            }
            var first = starts[^1] + 1; // the last join came before every say
            Assert.Equal(Enumerable.Range(0, 3 * perSender).Select(i => first + i), seen[0].Select(x => x.Offset));
            Assert.Equal(seen[0], seen[1]);
            Assert.Equal(seen[0], seen[2]);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_replay_larger_than_a_remoting_frame_should_arrive_whole_from_another_node()
    {
        var room = await _cluster.RoomHostedOnAsync(_cluster[0], "h-big");
        await using var sender = await Tcp(0);
        Assert.Equal("OK", (string?)(await sender.RequestAsync($"roomAdd {room}"))["status"]);
        await using var client = await Tcp(2);
        var joined = await client.RequestAsync($"roomAdd {room} positions");
        var (epoch, top) = ((string)joined["data"]!["epoch"]!, (long)joined["data"]!["offset"]!);
        Assert.Equal("OK", (string?)(await client.RequestAsync($"roomLeave {room}"))["status"]);

        // 60 x 4 KB: about 240 KB of history, more than Akka's 128 000-byte frame.
        var bulky = Enumerable.Range(1, 60).Select(i => $"{i}:" + new string('x', 4000)).ToArray();
        await SayAll(sender, room, bulky);
        await client.SendLineAsync($"roomAdd {room} since {top} {epoch}");
        var chat = new List<JsonObject>();
        for (var i = 0; i < bulky.Length; i++) chat.Add(await client.ReadJsonAsync());
        var reply = await client.ReadJsonAsync();
        Assert.True((bool)reply["data"]!["recovered"]!, reply.ToJsonString());
        Assert.Equal(bulky, chat.Select(m => (string)m["message"]!));

        // roomHistory is cut below the frame size too (newest kept), instead of never arriving.
        var history = await client.RequestAsync($"roomHistory {room}");
        var kept = history["data"]!["messages"]!.AsArray().Select(m => (string)m!["message"]!).ToArray();
        Assert.InRange(kept.Length, 1, bulky.Length - 1);
        Assert.Equal(bulky.TakeLast(kept.Length), kept);
    }

    [Fact]
    public async Task Tcp_clients_should_get_positions_and_history_while_stock_clients_see_actionheros_bytes()
    {
        var room = await NewRoom();
        await using var positioned = await Tcp(0);
        await using var stock = await Tcp(1);
        var joined = await positioned.RequestAsync($"roomAdd {room} positions");
        Assert.Equal("OK", (string?)joined["status"]);
        var epoch = (string)joined["data"]!["epoch"]!;
        var start = (long)joined["data"]!["offset"]!;
        Assert.Equal("OK", (string?)(await stock.RequestAsync($"roomAdd {room}"))["status"]);

        await SayAll(positioned, room, new[] { "one", "two", "three" });
        var plain = await stock.ReadUntilAsync(j => IsChat(j) && (string?)j["message"] == "one");
        Assert.Null(plain["offset"]);
        Assert.Null(plain["epoch"]);
        Assert.Equal(new[] { "message", "room", "from", "context", "sentAt" }, plain.Select(p => p.Key));

        var history = await positioned.ReadUntilAsync(IsResponse, sendFirst: $"roomHistory {room} 2");
        Assert.Equal("OK", (string?)history["status"]);
        var messages = history["data"]!["messages"]!.AsArray();
        Assert.Equal(new[] { "two", "three" }, messages.Select(m => (string)m!["message"]!));
        Assert.Equal(new[] { start + 2, start + 3 }, messages.Select(m => (long)m!["offset"]!));
        Assert.Equal(epoch, (string?)history["data"]!["epoch"]);

        var fromApi = await _cluster[2].Api.HistoryAsync(room, 1); // the server API reads any room
        Assert.Equal(start + 3, fromApi.Entries.Single().Offset);
        Assert.Equal(epoch, fromApi.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var missing = await Assert.ThrowsAsync<ChatCluster.Messages.ChatException>(() => _cluster[2].Api.HistoryAsync(room + "-none"));
        Assert.Equal(ChatErrors.RoomNotExist, missing.Message);

        await using var outsider = await Tcp(2);
        var refused = await outsider.RequestAsync($"roomHistory {room}");
        Assert.Equal(ChatErrors.NotInRoom(room), (string?)refused["error"]);
    }

    [Fact]
    public async Task Bad_positions_should_get_clear_errors_and_the_connection_stays_usable()
    {
        var room = await NewRoom();
        await using var ws = await Ws(0);
        var joined = await ws.RequestAsync(new { @event = "roomAdd", room, positions = true, messageId = 1 });
        var epoch = (string)joined["data"]!["epoch"]!;
        var top = (long)joined["data"]!["offset"]!;
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomLeave", room, messageId = 2 }))["status"]);

        async Task Refused(object frame, string error)
        {
            await ws.SendJsonAsync(frame);
            var reply = await ws.ReadUntilAsync(IsResponse);
            Assert.Equal("Error: " + error, (string?)reply["error"]); // v29 websocket verb errors carry the JavaScript prefix
        }
        await Refused(new { @event = "roomAdd", room, since = new { offset = top + 5, epoch }, messageId = 3 }, ChatErrors.PositionInFuture(top + 5, top));
        await Refused(new { @event = "roomAdd", room, since = new { offset = -1, epoch }, messageId = 4 }, ChatErrors.PositionOffsetInvalid);
        await Refused(new { @event = "roomAdd", room, since = new { offset = "1", epoch }, messageId = 5 }, ChatErrors.PositionOffsetInvalid);
        await Refused(new { @event = "roomAdd", room, since = new { offset = 0, epoch = 12 }, messageId = 6 }, ChatErrors.PositionEpochInvalid);
        await Refused(new { @event = "roomAdd", room, since = "yesterday", messageId = 7 }, ChatErrors.PositionNotObject);

        // another epoch: not an error, but nothing can be recovered
        await ws.SendJsonAsync(new { @event = "roomAdd", room, since = new { offset = 0, epoch = "1" }, messageId = 8 });
        var other = await ws.ReadUntilAsync(IsResponse);
        Assert.Equal("OK", (string?)other["status"]);
        Assert.False((bool)other["data"]!["recovered"]!);
        Assert.Equal(epoch, (string?)other["data"]!["epoch"]);
    }

    [Fact]
    public async Task A_gap_larger_than_the_history_should_recover_what_is_kept_and_say_recovered_false()
    {
        var room = await NewRoom("small"); // size 10
        await using var sender = await Tcp(0);
        Assert.Equal("OK", (string?)(await sender.RequestAsync($"roomAdd {room}"))["status"]);
        await using var client = await Tcp(1);
        var joined = await client.RequestAsync($"roomAdd {room} positions");
        var epoch = (string)joined["data"]!["epoch"]!;
        var top = (long)joined["data"]!["offset"]!;
        Assert.Equal("OK", (string?)(await client.RequestAsync($"roomLeave {room}"))["status"]);

        await SayAll(sender, room, Enumerable.Range(1, 20).Select(i => "m" + i));
        await client.SendLineAsync($"roomAdd {room} since {top} {epoch}");
        var chat = new List<JsonObject>();
        for (var i = 0; i < 10; i++) chat.Add(await client.ReadJsonAsync());
        var reply = await client.ReadJsonAsync();
        Assert.True(IsResponse(reply), reply.ToJsonString());
        Assert.False((bool)reply["data"]!["recovered"]!);
        Assert.Equal(Enumerable.Range(11, 10).Select(i => "m" + i), chat.Select(m => (string)m["message"]!));
        Assert.True(await client.IsSilentAsync());
    }

    [Fact]
    public async Task History_should_forget_messages_older_than_the_ttl()
    {
        var room = await NewRoom("brief"); // ttl 1 s
        await using var client = await Tcp(2);
        Assert.Equal("OK", (string?)(await client.RequestAsync($"roomAdd {room}"))["status"]);
        await SayAll(client, room, new[] { "a", "b" });
        var kept = await client.ReadUntilAsync(IsResponse, sendFirst: $"roomHistory {room}");
        Assert.Equal(2, kept["data"]!["messages"]!.AsArray().Count);
        await Eventually.TrueAsync(async () =>
        {
            var h = await client.ReadUntilAsync(IsResponse, sendFirst: $"roomHistory {room}");
            return h["data"]!["messages"]!.AsArray().Count == 0;
        }, "messages older than the ttl are gone");
    }
}
