using System.Text.Json.Nodes;
using ChatCluster.Tests.Redis;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.History;

/// <summary>
/// A real node process with Redis history, killed with SIGKILL (no goodbye, nothing flushed on the way down), and a new
/// process on the same Redis (a full cluster restart): the room continues its epoch, and a client that rejoins with its
/// last position gets the messages it missed, <c>recovered:true</c>, then live ones.
/// </summary>
[Collection("cluster")]
public sealed class RedisHistoryProcessTests : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private string _config = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _config = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(_config, $$"""
            chatcluster.history.rooms = [ { pattern = "*", size = 100, ttl = 5m } ]
            chatcluster.redis.channel = "{{RedisNode.NewChannel()}}"
            chatcluster.redis.journal-key-prefix = "{{RedisServerFixture.NewKeyPrefix("cc")}}"
            """);
    }

    public async Task DisposeAsync()
    {
        File.Delete(_config);
        await _redis.DisposeAsync();
    }

    private Task<NodeProcess> StartNode() => NodeProcess.StartAsync("--akka-port", FreePort.Next().ToString(), "--redis", _redis.ConnectionString,
        "--config", _config, "--rooms", "hist");

    private static bool IsResponse(JsonObject m) => (string?)m["context"] == "response";

    [Fact]
    public async Task A_room_should_continue_its_epoch_after_kill_9_and_a_restart_and_a_rejoin_should_recover()
    {
        string epoch;
        long offset;
        await using (var node = await StartNode())
        {
            await using var client = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            epoch = (string)(await client.ReadUntilAsync(IsResponse, sendFirst: "roomAdd hist positions"))["data"]!["epoch"]!;
            await client.SendLineAsync("say hist seen");
            offset = (long)(await client.ReadUntilAsync(m => (string?)m["message"] == "seen"))["offset"]!;
            foreach (var text in new[] { "missed 1", "missed 2" })
                Assert.Equal("OK", (string?)(await client.ReadUntilAsync(IsResponse, sendFirst: $"say hist {text}"))["status"]);
            await node.KillAsync();
        }

        await using var restarted = await StartNode();
        await using var after = await (await TcpTestClient.ConnectAsync(restarted.TcpPort)).Welcomed();
        await after.SendLineAsync($"roomAdd hist since {offset} {epoch}");
        var chat = new[] { await after.ReadJsonAsync(), await after.ReadJsonAsync() };
        var reply = await after.ReadJsonAsync();
        Assert.True((bool)reply["data"]!["recovered"]!, reply.ToJsonString());
        Assert.Equal(epoch, (string?)reply["data"]!["epoch"]);
        Assert.Equal(new[] { "missed 1", "missed 2" }, chat.Select(m => (string)m["message"]!));
        Assert.Equal(new[] { offset + 1, offset + 2 }, chat.Select(m => (long)m["offset"]!));

        Assert.Equal("OK", (string?)(await after.ReadUntilAsync(IsResponse, sendFirst: "say hist live"))["status"]);
        var live = await after.ReadUntilAsync(m => (string?)m["message"] == "live");
        Assert.Equal(offset + 3, (long)live["offset"]!);
        Assert.Equal(epoch, (string?)live["epoch"]);
    }
}
