using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// Slow-consumer policy on websockets (hocon/base.conf, chatcluster.outbound): a client that never reads is
/// disconnected once the socket and its bounded backlog are full; the node and the other clients carry on.
/// </summary>
public sealed class WebSocketSlowConsumerTests : IClassFixture<SmallOutboundQueueFixture>
{
    private const int MessageBytes = 4096;
    private const int Batch = 8; // the talker's own replies and echoes of one batch stay far inside its 64 KiB backlog
    private const int MaxMessages = 6000; // 24 MB: far more than loopback socket buffers can hide

    private readonly SmallOutboundQueueFixture _node;

    public WebSocketSlowConsumerTests(SmallOutboundQueueFixture node) => _node = node;

    [Fact]
    public async Task A_websocket_that_never_reads_is_disconnected_and_the_node_stays_healthy()
    {
        var room = await _node.NewRoomAsync();
        await using var sleeper = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        Assert.Contains("welcome", (await sleeper.ReadFrameAsync()).AsText, StringComparison.Ordinal);
        await sleeper.SendTextAsync($"{{\"event\":\"roomAdd\",\"room\":\"{room}\",\"messageId\":\"join\"}}");
        string? sleeperId = null;
        await sleeper.SendTextAsync("{\"event\":\"detailsView\",\"messageId\":\"who\"}");
        while (sleeperId is null)
        {
            var reply = JsonNode.Parse((await sleeper.ReadFrameAsync()).AsText)!;
            if ((string?)reply["messageId"] == "who") sleeperId = (string?)reply["data"]!["id"];
        }
        await Eventually.TrueAsync(async () => (await _node.Node.Api.StatusAsync(room)).Members.Any(m => m.ConnectionId == sleeperId),
            "the sleeper joined its room");

        await using var talker = await (await _node.Ws()).Welcomed();
        Assert.Equal("OK", (string?)(await talker.RequestAsync(new { @event = "roomAdd", room, messageId = "join" }))["status"]);

        // From here the sleeper reads nothing; the talker reads everything it gets before each next batch.
        var text = new string('w', MessageBytes);
        var sent = 0;
        var sleeperGone = false;
        while (sent < MaxMessages && !sleeperGone)
        {
            for (var i = 0; i < Batch; i++) await talker.SendJsonAsync(new { @event = "say", room, message = text, messageId = "s" + (sent + i) });
            sent += Batch;
            for (int ok = 0, chat = 0; ok < Batch || chat < Batch;)
            {
                var m = await talker.ReadJsonAsync();
                if ((string?)m["status"] == "OK") ok++;
                else if (m["message"] is not null) chat++;
                else if (m["context"]?.ToString() != "api") Assert.Fail("unexpected frame at the talker: " + m.ToJsonString());
            }
            sleeperGone = (await _node.Node.Api.StatusAsync(room)).Members.All(m => m.ConnectionId != sleeperId);
        }
        Assert.True(sleeperGone, $"the non-reading member is still in the room after {sent} messages of {MessageBytes} bytes");
        Assert.DoesNotContain(sleeperId, _node.Node.Api.LocalConnectionIds());
        Assert.True(await sleeper.ServerEndsConnectionAsync(), "the sleeper's socket should end after what was buffered");

        // The node and the talker carry on, and a newcomer gets the talker's messages.
        Assert.Equal(1, (await _node.Node.Api.StatusAsync(room)).MembersCount);
        await using var newcomer = await (await _node.Ws()).Welcomed();
        Assert.Equal("OK", (string?)(await newcomer.RequestAsync(new { @event = "roomAdd", room, messageId = "join" }))["status"]);
        await talker.SendJsonAsync(new { @event = "say", room, message = "welcome", messageId = "w" });
        await newcomer.ReadUntilAsync(m => (string?)m["message"] == "welcome");
    }
}
