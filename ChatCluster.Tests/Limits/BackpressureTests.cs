using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;
using ChatCluster.Transports;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Limits;

/// <summary>A node with 8 requests in flight per connection, no say rate limit, and a 1 MiB outbound bound.</summary>
public sealed class PipelineFixture : NodeFixture
{
    public const int MaxInFlight = 8;

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.limits.max-requests-in-flight = {MaxInFlight}",
        "chatcluster.limits.say-rates = []",
        "chatcluster.outbound.max-bytes = 1048576",
    };
}

/// <summary>
/// Inbound backpressure over real sockets: a client that pipelines requests is read only as fast as it is answered
/// (chatcluster.limits.max-requests-in-flight), gets every reply in order, and one that never reads its replies is
/// bounded by its outbound queue and closed.
/// </summary>
public sealed class PipeliningTests : IClassFixture<PipelineFixture>
{
    private const int Requests = 20_000;

    private readonly PipelineFixture _node;

    public PipeliningTests(PipelineFixture node) => _node = node;

    [Fact]
    public async Task Pipelining_client_gets_every_reply_in_order_while_requests_in_flight_stay_bounded()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _node.TcpPort);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        Assert.Contains("welcome", await reader.ReadLineAsync());
        var transport = await TransportOfNewestAsync();

        // The sampler watches the node side; the writer pipelines every request at once.
        using var stop = new CancellationTokenSource();
        var maxInFlight = 0;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                maxInFlight = Math.Max(maxInFlight, transport.RequestsInFlight);
                await Task.Yield();
            }
        });
        var all = new StringBuilder();
        for (var i = 0; i < Requests; i++) all.Append("paramAdd messageId ").Append(i).Append('\n');
        var writer = stream.WriteAsync(Encoding.ASCII.GetBytes(all.ToString())).AsTask();

        // Each reply carries the sticky messageId set by the request before it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < Requests; i++)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new IOException($"closed after {i} replies");
            var reply = Parse(line);
            Assert.Equal("OK", (string?)reply["status"]);
            if (i > 0) Assert.Equal((i - 1).ToString(), (string?)reply["messageId"]);
        }
        await writer;
        stop.Cancel();
        await sampler;
        Assert.InRange(maxInFlight, 1, PipelineFixture.MaxInFlight);
    }

    [Fact]
    public async Task Pipelining_client_that_never_reads_is_bounded_and_closed()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _node.TcpPort);
        var stream = client.GetStream();
        var transport = await TransportOfNewestAsync();
        var overflowsBefore = PipeClientTransport.Overflows;

        // ~9 MB of requests whose replies (~90 bytes each) would be ~18 MB: far past the 1 MiB outbound bound.
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("detailsView\n", 10_000)));
        var written = 0;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            for (; written < 75; written++) await stream.WriteAsync(chunk, timeout.Token);
        }
        catch (IOException)
        {
            // the node closed the connection under the writer: expected
        }
        await Eventually.TrueAsync(() => _node.Log.WithEvent(1001).Any(l => l.Contains(transport.ConnectionId, StringComparison.Ordinal)),
            "the non-reading client to be closed as a slow consumer", TimeSpan.FromSeconds(30));
        Assert.True(transport.IsClosing);
        Assert.True(PipeClientTransport.Overflows > overflowsBefore);
        Assert.Contains(_node.Log.WithEvent(1001), l => l.Contains(transport.ConnectionId, StringComparison.Ordinal)
            && l.Contains("too many bytes waiting", StringComparison.Ordinal));
    }

    // The transport of the connection opened last (the node holds only the test's own connections).
    private async Task<PipeClientTransport> TransportOfNewestAsync()
    {
        PipeClientTransport? found = null;
        await Eventually.TrueAsync(() =>
        {
            found = _node.Node.Services.Connections.All.Select(c => c.Transport).OfType<PipeClientTransport>()
                .FirstOrDefault(t => !t.IsClosing);
            return found is not null;
        }, "the node to register the connection");
        return found!;
    }
}

/// <summary>A node with a say limit of 5/s (burst 5) in rooms "limited-*", none elsewhere; 10 refusals disconnect.</summary>
public sealed class SayRateFixture : NodeFixture
{
    protected override IReadOnlyList<string> Overrides => new[]
    {
        "chatcluster.limits.say-rates = [{ pattern = \"limited-*\", per-second = 5, burst = 5 }, { pattern = \"*\", per-second = 0, burst = 1 }]",
        "chatcluster.limits.max-violations = 10",
        "chatcluster.limits.violation-window = 60s",
    };
}

/// <summary>The say rate limit (chatcluster.limits.say-rates): an error past the rate, a disconnect when ignored.</summary>
public sealed class SayRateLimitTests : IClassFixture<SayRateFixture>
{
    private readonly SayRateFixture _node;

    public SayRateLimitTests(SayRateFixture node) => _node = node;

    [Fact]
    public async Task Say_over_the_rate_is_refused_and_repeated_refusals_disconnect_with_the_reason()
    {
        var room = await _node.NewRoomAsync("limited");
        await using var reader = await (await _node.Tcp()).Welcomed();
        await using var client = await (await _node.Tcp()).Welcomed();
        Assert.Equal("OK", (string?)(await reader.RequestAsync($"roomAdd {room}"))["status"]);
        Assert.Equal("OK", (string?)(await client.RequestAsync($"roomAdd {room}"))["status"]);

        // 20 says at once: the burst passes, the rest is refused until the 10th refusal ends the connection.
        await client.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 20).Select(i => $"say {room} m{i}\n"))));
        var lines = await client.ReadToEndAsync();
        var replies = lines.Select(Parse).Where(l => (string?)l["context"] == "response").ToList();
        var ok = replies.TakeWhile(r => (string?)r["status"] == "OK").Count();
        Assert.InRange(ok, 5, 7); // the burst, plus what refilled while the line was read
        var refused = replies.Skip(ok).ToList();
        Assert.All(refused.SkipLast(1), r => Assert.Equal(ChatErrors.SayRateLimited, (string?)r["error"]));
        Assert.Equal(10, refused.Count(r => (string?)r["error"] == ChatErrors.SayRateLimited));
        Assert.Equal(ChatErrors.RateLimitDisconnect, (string?)refused[^1]["error"]);

        // Only the accepted says reached the room.
        var received = new List<string>();
        while (!await reader.IsSilentAsync(TimeSpan.FromSeconds(1)))
            received.Add((string)(await reader.ReadJsonAsync())["message"]!);
        Assert.Equal(Enumerable.Range(0, ok).Select(i => $"m{i}"), received);
    }

    [Fact]
    public async Task Rooms_of_an_unlimited_pattern_are_not_limited()
    {
        var room = await _node.NewRoomAsync("free");
        await using var client = await (await _node.Tcp()).Welcomed();
        Assert.Equal("OK", (string?)(await client.RequestAsync($"roomAdd {room}"))["status"]);
        await client.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 50).Select(i => $"say {room} m{i}\n"))));
        var skipped = new List<JsonObject>();
        for (var i = 0; i < 50; i++)
        {
            var reply = await client.ReadUntilAsync(l => (string?)l["context"] == "response", skipped);
            Assert.Equal("OK", (string?)reply["status"]);
        }
    }
}
