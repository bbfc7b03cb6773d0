using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// A node with a small per-connection outbound queue (64 KiB) and no say rate limit, so the talker can go on until
/// the sleeper is gone (or, if the policy were broken, until its bound says so).
/// </summary>
public sealed class SmallOutboundQueueFixture : NodeFixture
{
    protected override IReadOnlyList<string> Overrides => new[]
    {
        "chatcluster.outbound.max-bytes = 65536",
        "chatcluster.limits.say-rates = []",
    };
}

/// <summary>
/// Slow-consumer policy (hocon/base.conf, chatcluster.outbound) on both transports: a client that never reads is
/// disconnected once the socket and its bounded queue are full; the node and the other clients carry on.
/// </summary>
public sealed class SlowConsumerTests : IClassFixture<SmallOutboundQueueFixture>
{
    private const int MessageBytes = 4096;
    // Per batch the talker gets Batch replies and Batch chat messages of its own: 8 x 4 KiB stays well inside
    // its own 64 KiB queue, so only the sleeper can overflow.
    private const int Batch = 8;
    private const int MaxMessages = 6000; // 24 MB: far more than loopback socket buffers can hide

    private readonly SmallOutboundQueueFixture _node;

    public SlowConsumerTests(SmallOutboundQueueFixture node) => _node = node;

    public static TheoryData<Transport> Transports => WireClient.Transports;

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_client_that_never_reads_is_disconnected_and_the_node_stays_healthy(Transport transport)
    {
        var room = await _node.NewRoomAsync();
        await using var talker = await WireClient.ConnectAsync(_node, transport);
        await using var sleeper = await WireClient.ConnectAsync(_node, transport);
        var sleeperId = await sleeper.IdAsync();
        await sleeper.JoinAsync(room);
        await talker.JoinAsync(room);

        // From here the sleeper reads nothing. The talker says large messages in small batches and reads all
        // its replies and its own chat messages before the next batch, so that it is not a slow consumer itself.
        var text = new string('w', MessageBytes);
        var sent = 0;
        var sleeperGone = false;
        while (sent < MaxMessages && !sleeperGone)
        {
            for (var i = 0; i < Batch; i++) await talker.SendVerbAsync("say", room, text);
            sent += Batch;
            for (int ok = 0, chat = 0; ok < Batch || chat < Batch;)
            {
                var message = WireText.Parse(await talker.NextTextAsync());
                if ((string?)message["status"] == "OK") ok++;
                else if ((string?)message["message"] == text) chat++;
                else Assert.Fail("unexpected message at the talker: " + message.ToJsonString());
            }
            sleeperGone = (await _node.Node.Api.StatusAsync(room)).Members.All(m => m.ConnectionId != sleeperId);
        }
        Assert.True(sleeperGone, $"the non-reading member is still in the room after {sent} messages of {MessageBytes} bytes");
        Assert.DoesNotContain(sleeperId, _node.Node.Api.LocalConnectionIds());

        // Its socket ends: whatever was buffered, then the end (never a hang).
        var drained = await sleeper.ReadToEndAsync();
        Assert.True(drained.Count < sent, $"the sleeper got {drained.Count} messages of {sent}");

        // The node and the talker carry on, and a newcomer gets the talker's messages.
        await talker.DetailsAsync();
        Assert.Equal(1, (await _node.Node.Api.StatusAsync(room)).MembersCount);
        await using var newcomer = await WireClient.ConnectAsync(_node, transport);
        await newcomer.ExpectOkAsync("true", "roomAdd", room);
        await talker.ExpectOkAsync(null, "say", room, "welcome");
        Assert.Equal("welcome", (string?)(await newcomer.NextChatAsync())["message"]);
    }
}
