using System.Text.Json.Nodes;
using ChatCluster.Bench.Load;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Bench;

/// <summary>A node without the say rate limit: the load tool's senders run at full speed (as with hocon/bench.conf).</summary>
public sealed class LoadToolNodeFixture : NodeFixture
{
    protected override IReadOnlyList<string> Overrides => new[] { "chatcluster.limits.say-rates = []" };
}

/// <summary>
/// The load tool against a real node over real sockets: its accounting must add up (every say counted once per
/// member, nothing lost, nothing extra), also when a warm-up precedes the measured window and its says are still
/// arriving when counting starts; a connect run counts only the connections after its warm-up ones.
/// </summary>
public sealed class LoadToolRunTests : IClassFixture<LoadToolNodeFixture>
{
    private const int Clients = 6;

    private readonly LoadToolNodeFixture _node;

    public LoadToolRunTests(LoadToolNodeFixture node) => _node = node;

    [Theory]
    [InlineData("ws")]
    [InlineData("tcp")]
    public async Task A_fanout_run_with_a_warm_up_should_count_each_measured_say_once_per_member(string transport)
    {
        var room = await _node.NewRoomAsync("load");
        var target = transport == "ws"
            ? new[] { "--url", $"ws://127.0.0.1:{_node.WebPort}/primus" }
            : new[] { "--transport", "tcp", "--port", _node.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var output = new StringWriter();
        var run = LoadCommand.RunAsync("fanout", [
            .. target, "--room", room, "--clients", $"{Clients}", "--senders", "2", "--rate", "0", "--window", "2",
            "--warmup", "0.5", "--seconds", "1", "--drain", "20", "--drain-idle", "20", "--timeout", "60",
        ], output);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(90))));
        Assert.Equal(0, await run);

        var result = JsonNode.Parse(output.ToString())!;
        Assert.Null(result["error"]);
        Assert.Equal(0.5, (double)result["params"]!["warmupSeconds"]!);
        long sent = (long)result["sent"]!, received = (long)result["received"]!;
        Assert.True(sent > 0, "no say was counted in the measured window");
        Assert.Equal(sent * Clients, (long)result["expectedDeliveries"]!);
        Assert.Equal(sent * Clients, received);
        Assert.Equal(0, (long)result["lost"]!);
        Assert.Equal(0, (long)result["results"]!["extra"]!);
        Assert.Equal(received, (long)result["latencyMs"]!["count"]!);
        Assert.Equal(0, (long)result["results"]!["sayErrors"]!);
    }

    [Fact]
    public async Task A_connect_run_with_warm_up_clients_should_count_only_the_measured_connections()
    {
        var output = new StringWriter();
        var run = LoadCommand.RunAsync("connect", [
            "--url", $"ws://127.0.0.1:{_node.WebPort}/primus", "--clients", "5", "--warmup-clients", "3", "--hold", "0",
            "--concurrency", "2", "--timeout", "60",
        ], output);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(90))));
        Assert.Equal(0, await run);

        var result = JsonNode.Parse(output.ToString())!;
        Assert.Null(result["error"]);
        Assert.Equal((3, 3, 0), ((int)result["warmup"]!["clients"]!, (int)result["warmup"]!["ok"]!, (int)result["warmup"]!["failed"]!));
        Assert.Equal((5, 0, 5L), ((int)result["connect"]!["ok"]!, (int)result["connect"]!["failed"]!, (long)result["connect"]!["welcomed"]!));
    }
}
