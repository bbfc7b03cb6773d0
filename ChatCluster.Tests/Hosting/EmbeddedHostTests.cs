using System.Text.Json.Nodes;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using EmbeddedHost;
using Microsoft.Extensions.DependencyInjection;

namespace ChatCluster.Tests.Hosting;

/// <summary>
/// examples/EmbeddedHost, started in-process as an application would run it: its own middleware, action and endpoint
/// served by the node inside its host, over real sockets; stopping the host drains the node.
/// </summary>
public sealed class EmbeddedHostTests
{
    private static readonly string[] Args =
    [
        "--config", "test.conf", "--tcp-port", "0", "--web-port", "0", "--management-port", "0", "--cmd-port", "0",
        "--rooms", "lobby", "--chatcluster.drain.unready-delay=0s",
    ];

    [Fact]
    public async Task The_example_host_should_serve_a_room_with_its_own_middleware_action_and_endpoint()
    {
        var app = ExampleHost.Create(Args);
        await app.StartAsync();
        var stopped = false;
        try
        {
            var node = app.Services.GetRequiredService<ChatNodeAccessor>().Node;
            Assert.NotNull(node);

            await using var sender = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            await using var reader = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            Assert.Equal("OK", (string?)(await sender.RequestAsync("roomAdd lobby"))["status"]);
            Assert.Equal("OK", (string?)(await reader.RequestAsync("roomAdd lobby"))["status"]);

            // The example's NoShouting middleware (registered through AddChatCluster) rewrites the message for everyone.
            await sender.SendLineAsync("say lobby HELLO EVERYONE");
            var chat = await reader.ReadUntilAsync(m => (string?)m["context"] == "user");
            Assert.Equal("hello everyone", (string?)chat["message"]);
            Assert.Equal("lobby", (string?)chat["room"]);

            // The example's action, over TCP ...
            var time = await reader.ReadUntilAsync(m => m["serverTime"] is not null, sendFirst: "{\"action\":\"serverTime\"}");
            Assert.True((long)time["serverTime"]! > 0);
            // ... and its own endpoint on the node's web port, beside the node's /api/.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.WebPort}"), Timeout = Timeouts.Expect };
            Assert.Equal("hello from the embedding host", await http.GetStringAsync("/hello"));
            var api = JsonNode.Parse(await http.GetStringAsync("/api/serverTime"))!;
            Assert.True((long)api["serverTime"]! > 0);

            // Stopping the host drains the node first: the client gets its goodbye, the actor system ends.
            await app.StopAsync();
            stopped = true;
            Assert.Contains("{\"status\":\"Bye!\",\"context\":\"api\"}", await reader.ReadToEndAsync());
            Assert.True(node.System.WhenTerminated.IsCompleted);
        }
        finally
        {
            if (!stopped) await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
