using System.Net.Sockets;
using System.Text;
using ChatCluster.Tests.Support;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Limits;

/// <summary>A node without a say rate limit (the burst reaches the room) and the default outbound rule (4 MiB, 3 s).</summary>
public sealed class BurstFixture : NodeFixture
{
    protected override IReadOnlyList<string> Overrides => new[]
    {
        "chatcluster.limits.say-rates = []",
        "chatcluster.outbound.max-age = 3s",
    };
}

/// <summary>
/// The slow-consumer rule judges readers over time (bytes waiting and age), not by one burst: a sender that writes
/// thousands of says without reading its replies must not get the readers that keep up disconnected (before, a
/// 4,096-message backlog limit cut every fast reader in the room within seconds), while a member that really stopped
/// reading is cut and the log says which connection and why.
/// </summary>
public sealed class BurstTests : IClassFixture<BurstFixture>
{
    private const int Says = 30_000;
    // ~300 bytes per chat line: the burst (~9 MB per member) is more than loopback socket buffers can hide.
    private static readonly string Padding = new('p', 200);
    private const int Readers = 3;

    private readonly BurstFixture _node;

    public BurstTests(BurstFixture node) => _node = node;

    [Fact]
    public async Task Bursting_sender_does_not_get_fast_readers_disconnected_but_a_stopped_reader_is_cut()
    {
        var room = await _node.NewRoomAsync("burst");
        var readers = new List<(TcpClient Client, StreamReader Reader)>();
        for (var i = 0; i < Readers; i++) readers.Add(await JoinAsync(room));
        // The sleeper's receive buffer is small, so the kernel cannot hide the burst from the node (loopback buffers
        // autotune to megabytes): what it does not read waits in the node, where the rule can see it.
        using var sleeper = new TcpClient { ReceiveBufferSize = 4096 };
        await sleeper.ConnectAsync("127.0.0.1", _node.TcpPort);
        var sleeperReader = new StreamReader(sleeper.GetStream(), Encoding.UTF8);
        Assert.Contains("welcome", await sleeperReader.ReadLineAsync());
        await sleeper.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"detailsView\nroomAdd {room}\n"));
        var sleeperId = (string)Parse((await sleeperReader.ReadLineAsync())!)["data"]!["id"]!;
        Assert.Equal("OK", (string?)Parse((await sleeperReader.ReadLineAsync())!)["status"]);
        var (senderClient, _) = await JoinAsync(room);

        // Readers read as fast as they can, each into its own list, until the room has been quiet for 2 s.
        var reading = readers.Select(r => Task.Run(() => ReadChatAsync(r.Reader))).ToArray();
        var burst = new StringBuilder();
        for (var i = 0; i < Says; i++) burst.Append("say ").Append(room).Append(" m").Append(i).Append(' ').Append(Padding).Append('\n');
        try
        {
            await senderClient.GetStream().WriteAsync(Encoding.ASCII.GetBytes(burst.ToString()));
        }
        catch (IOException)
        {
            // the sender reads nothing either: it may be cut as a slow consumer itself, which is fair
        }
        var received = await Task.WhenAll(reading);

        // Every fast reader got the same messages, in order, without a gap: far more than the old 4,096 limit.
        var first = received[0];
        Assert.True(first.Count > 8192, $"only {first.Count} messages reached the readers");
        Assert.Equal(Enumerable.Range(0, first.Count).Select(i => $"m{i}"), first);
        foreach (var other in received.Skip(1)) Assert.Equal(first, other);

        // ...and they are still connected members.
        foreach (var (client, reader) in readers)
        {
            await client.GetStream().WriteAsync("detailsView\n"u8.ToArray());
            var details = Parse((await reader.ReadLineAsync())!);
            Assert.Contains(room, details["data"]!["rooms"]!.AsArray().Select(n => (string?)n));
        }

        // The member that never read is cut (by bytes during the burst, or by age at a later message: the rule is applied
        // when a message arrives, so the room keeps talking, one say per poll), and the log names it with bytes and age
        // against the limits.
        var stream = readers[0].Client.GetStream();
        await Eventually.TrueAsync(async () =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"say {room} after\n"));
            return (await _node.Node.Api.StatusAsync(room)).Members.All(m => m.ConnectionId != sleeperId);
        }, "the member that never reads to be cut", TimeSpan.FromSeconds(20));
        var line = Assert.Single(_node.Log.WithEvent(1001), l => l.Contains(sleeperId, StringComparison.Ordinal));
        Assert.Contains("bytes waiting (limit 4194304, chatcluster.outbound.max-bytes)", line);
        Assert.Contains("(limit 3000 ms, chatcluster.outbound.max-age)", line);

        foreach (var (client, reader) in readers)
        {
            reader.Dispose();
            client.Dispose();
        }
        senderClient.Dispose();
    }

    private async Task<(TcpClient, StreamReader)> JoinAsync(string room)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _node.TcpPort);
        var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
        Assert.Contains("welcome", await reader.ReadLineAsync());
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"roomAdd {room}\n"));
        Assert.Equal("OK", (string?)Parse((await reader.ReadLineAsync())!)["status"]);
        return (client, reader);
    }

    private static async Task<List<string>> ReadChatAsync(StreamReader reader)
    {
        var messages = new List<string>();
        using var overall = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
            quiet.CancelAfter(TimeSpan.FromSeconds(2));
            string? line;
            try
            {
                line = await reader.ReadLineAsync(quiet.Token);
            }
            catch (OperationCanceledException) when (!overall.IsCancellationRequested)
            {
                return messages;
            }
            if (line is null) throw new IOException($"a fast reader was disconnected after {messages.Count} messages");
            if (line.StartsWith("{\"message\":", StringComparison.Ordinal)) messages.Add(((string)Parse(line)["message"]!).Split(' ')[0]);
        }
    }
}
