using System.Text;
using ChatCluster.Tests.Support;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Wire;

/// <summary>A node with a small per-connection outbound queue (64 KiB).</summary>
public sealed class SmallOutboundQueueFixture : NodeFixture
{
    protected override IReadOnlyList<string> Overrides => new[]
    {
        "chatcluster.outbound.max-bytes = 65536",
    };
}

/// <summary>
/// Slow-consumer policy (hocon/base.conf, chatcluster.outbound): a TCP client that never reads is disconnected
/// once its bounded queue overflows; the node and the other clients carry on.
/// </summary>
public sealed class TcpSlowConsumerTests : IClassFixture<SmallOutboundQueueFixture>
{
    private const int MessageBytes = 4096;
    // Per batch the talker gets Batch replies and Batch chat lines of its own: 8 x 4 KiB stays well inside
    // its own 64 KiB queue, so only the sleeper can overflow.
    private const int Batch = 8;
    private const int MaxMessages = 6000; // 24 MB: far more than loopback socket buffers can hide

    private readonly SmallOutboundQueueFixture _node;

    public TcpSlowConsumerTests(SmallOutboundQueueFixture node) => _node = node;

    [Fact]
    public async Task A_client_that_never_reads_is_disconnected_and_the_node_stays_healthy()
    {
        var room = await _node.NewRoomAsync();
        await using var talker = await (await _node.Tcp()).Welcomed();
        await using var sleeper = await (await _node.Tcp()).Welcomed();

        await sleeper.SendLineAsync("detailsView");
        var sleeperId = (string)Parse(await sleeper.ReadLineAsync())["data"]!["id"]!;
        await sleeper.SendLineAsync($"roomAdd {room}");
        Assert.Equal("OK", (string?)Parse(await sleeper.ReadLineAsync())["status"]);
        await talker.SendLineAsync($"roomAdd {room}");
        Assert.Equal("OK", (string?)Parse(await talker.ReadLineAsync())["status"]);

        // From here the sleeper reads nothing. The talker says large messages in small batches and reads all
        // its replies and its own chat lines before the next batch, so that it is not a slow consumer itself.
        var text = new string('w', MessageBytes);
        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"say {room} {text}\n", Batch)));
        var sent = 0;
        var sleeperGone = false;
        while (sent < MaxMessages && !sleeperGone)
        {
            await talker.SendAsync(batch);
            sent += Batch;
            for (int ok = 0, chat = 0; ok < Batch || chat < Batch;)
            {
                var line = await talker.ReadLineAsync();
                if (line.StartsWith("{\"status\":\"OK\"", StringComparison.Ordinal)) ok++;
                else if (line.StartsWith("{\"message\":", StringComparison.Ordinal)) chat++;
                else Assert.Fail("unexpected line at the talker: " + line);
            }
            var status = await _node.Node.Api.StatusAsync(room);
            sleeperGone = status.Members.All(m => m.ConnectionId != sleeperId);
        }
        Assert.True(sleeperGone, $"the non-reading member is still in the room after {sent} messages of {MessageBytes} bytes");
        Assert.DoesNotContain(sleeperId, _node.Node.Api.LocalConnectionIds());

        // Its socket ends: whatever was buffered, then EOF or a reset (never a hang).
        var drained = await sleeper.ReadToEndAsync();
        Assert.True(drained.Count < sent, $"the sleeper got {drained.Count} lines of {sent}");

        // The node and the talker carry on.
        await talker.SendLineAsync("detailsView");
        await talker.ReadUntilAsync(m => m["data"]?["id"] is not null);
        var after = await _node.Node.Api.StatusAsync(room);
        Assert.Equal(1, after.MembersCount);
        await using var newcomer = await (await _node.Tcp()).Welcomed();
        await newcomer.SendLineAsync($"roomAdd {room}");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":true,\"messageId\":\"<uuid>\"}", Mask(await newcomer.ReadLineAsync()));
        await talker.SendLineAsync($"say {room} welcome");
        await newcomer.ReadUntilAsync(m => (string?)m["message"] == "welcome");
    }
}
