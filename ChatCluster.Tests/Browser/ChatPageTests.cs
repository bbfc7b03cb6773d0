using System.Text.RegularExpressions;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static ChatCluster.Tests.Browser.BrowserPages;

namespace ChatCluster.Tests.Browser;

/// <summary>The chat page on a node of its own: creating a room from the page, the screenshot, and reconnecting after the node restarts (crashed or stopped gracefully).</summary>
[Collection(ChromiumCollection.Name)]
public sealed class ChatPageTests
{
    private readonly ChromiumFixture _chromium;

    public ChatPageTests(ChromiumFixture chromium) => _chromium = chromium;

    private static Task<ChatNode> StartNodeAsync(int tcpPort, int webPort) =>
        ChatNode.StartAsync(TestConfig.Node([$"chatcluster.tcp.port = {tcpPort}", $"chatcluster.websocket.port = {webPort}"]));

    [Fact]
    public async Task Chat_page_creates_a_room_and_chats_screenshot()
    {
        var node = await StartNodeAsync(0, 0);
        try
        {
            var url = $"http://127.0.0.1:{node.WebPort}";
            var grace = await OpenChatAsync(await _chromium.NewContextAsync(), url, "grace", "defaultRoom");
            // A room made with the page's own form (the createChatRoom action), joined at once.
            await grace.FillAsync("#new-room-name", "lobby");
            await grace.ClickAsync("#new-room button");
            await grace.WaitForFunctionAsync("() => window.chat.state.joined.includes('lobby') && window.chat.state.active === 'lobby'");
            Assert.Contains("lobby", await node.Api.ListAsync());

            var heidi = await OpenChatAsync(await _chromium.NewContextAsync(), url, "heidi", "lobby");
            await using var nc = await TcpTestClient.ConnectAsync(node.TcpPort);
            await nc.Welcomed();
            await nc.RequestAsync("roomAdd lobby");
            await SayAsync(grace, "Morning! Is the cluster up?");
            await Assertions.Expect(Message(heidi, "grace", "Morning!")).ToBeVisibleAsync();
            await SayAsync(heidi, "All three nodes. Rooms moved over when I restarted the seed.");
            await Assertions.Expect(Message(grace, "heidi", "All three nodes")).ToBeVisibleAsync();
            await nc.SendLineAsync("say lobby ivan: hi from nc on the TCP port");
            await Assertions.Expect(Message(grace, "ivan", "hi from nc")).ToBeVisibleAsync();
            await Assertions.Expect(grace.Locator("#members .member")).ToHaveCountAsync(3);
            await Assertions.Expect(grace.Locator("#members")).ToContainTextAsync("ivan");
            await Assertions.Expect(grace.Locator("#rooms li[data-room='lobby'] .count")).ToHaveTextAsync("3");
            var path = ArtifactPath("chat-page.png");
            await grace.ScreenshotAsync(new() { Path = path });
            Assert.True(new FileInfo(path).Length > 10_000, "the screenshot is not empty");
        }
        finally
        {
            await node.StopAsync();
        }
    }

    [Fact]
    public async Task Page_reconnects_and_rejoins_its_rooms_after_the_node_restarts()
    {
        int tcpPort = FreePort.Next(), webPort = FreePort.Next();
        var node = await StartNodeAsync(tcpPort, webPort);
        try
        {
            var url = $"http://127.0.0.1:{webPort}";
            var page = await OpenChatAsync(await _chromium.NewContextAsync(), url, "judy", "defaultRoom");
            await page.EvaluateAsync("() => { window.events = []; window.chat.client.on('reconnect', () => window.events.push('reconnect')); window.chat.client.on('reconnecting', () => window.events.push('reconnecting')); }");
            var firstId = await page.EvaluateAsync<string>("() => window.chat.client.id");

            // Stopped without a goodbye (a crash or a network drop: no primus::server::close), then started on the same ports.
            await node.CrashAsync();
            await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "reconnecting");
            await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync("Reconnecting");
            node = await StartNodeAsync(tcpPort, webPort);

            await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 45_000 });
            await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync("Reconnected");
            Assert.NotEqual(firstId, await page.EvaluateAsync<string>("() => window.chat.client.id"));
            Assert.Equal(new[] { "defaultRoom" }, await page.EvaluateAsync<string[]>("() => window.chat.client.rooms"));
            Assert.Contains("reconnect", await page.EvaluateAsync<string[]>("() => window.events"));

            // Re-joined on the server, not only on the page: a TCP user's message reaches it, and its replies work.
            Assert.Equal(1, (await node.Api.StatusAsync("defaultRoom")).MembersCount);
            await using var nc = await TcpTestClient.ConnectAsync(tcpPort);
            await nc.Welcomed();
            await nc.RequestAsync("roomAdd defaultRoom");
            await nc.SendLineAsync("say defaultRoom kim: are you back?");
            await Assertions.Expect(Message(page, "kim", "are you back?")).ToBeVisibleAsync();
            await SayAsync(page, "yes, back");
            await nc.ReadUntilAsync(m => (string?)m["message"] == "judy: yes, back");
        }
        finally
        {
            await node.StopAsync();
        }
    }

    [Fact]
    public async Task After_a_graceful_stop_the_page_says_goodbye_then_reconnects_and_rejoins_by_itself()
    {
        int tcpPort = FreePort.Next(), webPort = FreePort.Next();
        var node = await StartNodeAsync(tcpPort, webPort);
        try
        {
            var page = await OpenChatAsync(await _chromium.NewContextAsync(), $"http://127.0.0.1:{webPort}", "lena", "anotherRoom");
            var firstId = await page.EvaluateAsync<string>("() => window.chat.client.id");

            // The page's backoff: 2 s doubling to 30 s, each delay drawn between half and all of it.
            Assert.Equal(new[] { 1000, 2000, 2000, 4000, 15000, 30000 }, await page.EvaluateAsync<int[]>(
                "() => [[1, 0], [1, 1], [2, 0], [3, 0], [10, 0], [10, 1]].map(([a, r]) => window.chat.retryDelay(a, r))"));

            // A graceful stop says primus::server::close: the library does not reconnect, the page does, and says why.
            // The goodbye stays on the banner while the node is down (the page's attempts meet a closed port).
            await node.StopAsync();
            await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync("The server closed the connection (restarting?); ");
            await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync(new Regex("reconnecting in \\d+ s|trying again in|reconnecting now"));
            await Assertions.Expect(page.Locator("#banner .again")).ToHaveTextAsync("Reconnect now");

            node = await StartNodeAsync(tcpPort, webPort);
            await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync("Reconnected; back in #anotherRoom");
            Assert.NotEqual(firstId, await page.EvaluateAsync<string>("() => window.chat.client.id"));
            Assert.Equal(new[] { "anotherRoom" }, await page.EvaluateAsync<string[]>("() => window.chat.client.rooms"));

            // Back in the room on the server, with no click: a TCP user's message reaches the page, and the page's reaches it.
            await Eventually.TrueAsync(async () => (await node.Api.StatusAsync("anotherRoom")).MembersCount == 1, "the page is back in anotherRoom");
            await using var nc = await TcpTestClient.ConnectAsync(tcpPort);
            await nc.Welcomed();
            await nc.RequestAsync("roomAdd anotherRoom");
            await nc.SendLineAsync("say anotherRoom mia: welcome back");
            await Assertions.Expect(Message(page, "mia", "welcome back")).ToBeVisibleAsync();
            await SayAsync(page, "thanks, back by myself");
            await nc.ReadUntilAsync(m => (string?)m["message"] == "lena: thanks, back by myself");
        }
        finally
        {
            await node.StopAsync();
        }
    }
}
