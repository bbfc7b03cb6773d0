using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Clustering;

/// <summary>Real node processes started through the CLI (seed + worker), chatting over real sockets.</summary>
[Collection("cluster")]
public sealed class ProcessClusterTests
{
    [Fact]
    public async Task A_seed_and_a_worker_started_from_the_command_line_should_chat_and_stop_gracefully()
    {
        var akkaPort = FreePort.Next();
        var seedAddress = $"akka.tcp://chatcluster@127.0.0.1:{akkaPort}";
        await using var seed = await NodeProcess.StartAsync("seed", "--akka-port", akkaPort.ToString(), "--seed-nodes", seedAddress);
        await using var worker = await NodeProcess.StartAsync("worker", "--seed-nodes", seedAddress);

        await using var a = await (await TcpTestClient.ConnectAsync(seed.TcpPort)).Welcomed();
        await using var b = await (await TcpTestClient.ConnectAsync(worker.TcpPort)).Welcomed();
        foreach (var c in new[] { a, b })
            Assert.Equal("OK", (string?)(await c.ReadUntilAsync(m => (string?)m["context"] == "response", sendFirst: "roomAdd defaultRoom"))["status"]);

        await a.SendLineAsync("say defaultRoom from the seed process");
        Assert.Equal("from the seed process", (string?)(await b.ReadUntilAsync(m => (string?)m["context"] == "user"))["message"]);
        await b.SendLineAsync("say defaultRoom from the worker process");
        await a.ReadUntilAsync(m => (string?)m["message"] == "from the worker process");

        await b.SendLineAsync("roomView defaultRoom");
        var view = await b.ReadUntilAsync(m => m["data"]?["membersCount"] is not null);
        Assert.Equal(2, (int)view["data"]!["membersCount"]!);

        Assert.Equal(0, await worker.TerminateAsync());
        Assert.Contains("{\"status\":\"Bye!\",\"context\":\"api\"}", await b.ReadToEndAsync());
        await Eventually.TrueAsync(async () =>
        {
            await a.SendLineAsync("roomView defaultRoom");
            var v = await a.ReadUntilAsync(m => m["data"]?["membersCount"] is not null);
            return (int)v["data"]!["membersCount"]! == 1;
        }, "the worker's member left the room when the worker stopped");
    }
}
