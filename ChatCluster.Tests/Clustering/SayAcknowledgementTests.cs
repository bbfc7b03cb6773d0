using System.Diagnostics;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;
using Xunit.Abstractions;
using Akka.Actor;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Tests.Clustering;

/// <summary>
/// "OK" means the room ordered the say (issue 12, item 3): a 3-node cluster where the node holding the room crashes
/// while a client keeps saying numbered messages. Every say is either answered OK and delivered exactly once, in
/// order, or answered with an error; none is OK and lost.
/// </summary>
[Collection("cluster")]
public sealed class SayAcknowledgementTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private TestCluster _cluster = null!;

    public SayAcknowledgementTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<TcpTestClient> Tcp(int node) => await (await TcpTestClient.ConnectAsync(_cluster[node].TcpPort)).Welcomed();

    private static bool IsResponse(JsonObject m) => (string?)m["context"] == "response";

    private static async Task Join(TcpTestClient c, string room) =>
        Assert.Equal("OK", (string?)(await c.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);

    [Fact]
    public async Task Says_while_the_rooms_node_crashes_should_be_acknowledged_only_when_delivered_and_never_twice()
    {
        var room = await _cluster.RoomHostedOnAsync(_cluster[2], "crash-ack");
        await using var sender = await Tcp(0);
        await using var receiver = await Tcp(1);
        await Join(sender, room);
        await Join(receiver, room);

        var acked = new List<int>();
        var refused = new List<int>();
        Task? crash = null;
        var clock = Stopwatch.StartNew();
        var ackedAfterCrash = 0;
        // Bounded: at most 400 says or 60 s; stops once the revived room has confirmed a few says.
        for (var i = 0; i < 400 && clock.Elapsed < TimeSpan.FromSeconds(60) && ackedAfterCrash < 5; i++)
        {
            if (i == 10) crash = _cluster[2].CrashAsync();
            // Longer than say-retry-timeout: every say gets its answer (OK or the error) within it.
            var reply = await sender.ReadUntilAsync(IsResponse, timeout: TimeSpan.FromSeconds(40), sendFirst: $"say {room} m-{i}");
            if (reply["error"] is null)
            {
                acked.Add(i);
                if (crash is { IsCompleted: true }) ackedAfterCrash++;
            }
            else
            {
                Assert.Equal(ChatErrors.RoomUnavailable, (string?)reply["error"]);
                refused.Add(i);
            }
        }
        await crash!;
        Assert.True(ackedAfterCrash >= 5, "the room was revived and confirmed says again");
        Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, timeout: TimeSpan.FromSeconds(40), sendFirst: $"say {room} end"))["status"]);

        var received = new List<int>();
        var skipped = new List<JsonObject>();
        await receiver.ReadUntilAsync(m => (string?)m["message"] == "end", skipped, TimeSpan.FromSeconds(30));
        foreach (var m in skipped)
            if ((string?)m["message"] is { } text && text.StartsWith("m-", StringComparison.Ordinal)) received.Add(int.Parse(text[2..]));
        _output.WriteLine($"{acked.Count} acknowledged, {refused.Count} refused, {received.Count} received, {clock.ElapsedMilliseconds} ms");

        Assert.Empty(acked.Except(received)); // acknowledged and lost
        Assert.Equal(received.Count, received.Distinct().Count()); // duplicates
        Assert.Equal(received.Order(), received); // reorders
    }

    [Fact]
    public async Task A_retried_say_should_reach_each_member_once()
    {
        var room = await _cluster.RoomHostedOnAsync(_cluster[1], "dedupe");
        await using var receiver = await Tcp(2);
        await Join(receiver, room);
        var region = _cluster[0].Services.RoomRegion;
        ChatPayload Payload(string text) => new(room, "test-sender", ChatCluster.Transports.JsonText.Quote(text), 1);

        region.Tell(new Say(Payload("first"), false, new SayTicket("test-sender", 1)), ActorRefs.NoSender);
        region.Tell(new Say(Payload("first"), false, new SayTicket("test-sender", 1)), ActorRefs.NoSender); // a retry of the same say
        region.Tell(new Say(Payload("second"), false, new SayTicket("test-sender", 2)), ActorRefs.NoSender);

        var skipped = new List<JsonObject>();
        await receiver.ReadUntilAsync(m => (string?)m["message"] == "second", skipped);
        Assert.Equal(new[] { "first" }, skipped.Select(m => (string?)m["message"]));
    }

    [Fact]
    public async Task Pipelined_says_should_each_be_answered_before_the_senders_own_copy_in_order()
    {
        var room = await _cluster.RoomHostedOnAsync(_cluster[1], "pipelined");
        await using var sender = await Tcp(0);
        await Join(sender, room);
        const int count = 50;
        await sender.SendLineAsync(string.Join("\n", Enumerable.Range(0, count).Select(i => $"say {room} p-{i}")));
        var seen = new List<string>();
        for (var i = 0; i < 2 * count; i++)
        {
            var m = await sender.ReadJsonAsync();
            seen.Add(IsResponse(m) ? "OK" : (string)m["message"]!);
        }
        Assert.Equal(Enumerable.Range(0, count).SelectMany(i => new[] { "OK", $"p-{i}" }), seen);
    }
}
