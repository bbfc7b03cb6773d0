using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static ChatCluster.Tests.Browser.BrowserPages;

namespace ChatCluster.Tests.Browser;

/// <summary>
/// The chat page remembers the last position per room and recovers after a reconnect (docs/history.md): what was said
/// while it was away shows up once, with "N missed messages recovered", or it says that some may be missing.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class HistoryPageTests
{
    private readonly ChromiumFixture _chromium;

    public HistoryPageTests(ChromiumFixture chromium) => _chromium = chromium;

    // The page's next connect waits until the test calls window.release(): messages are said while it is surely away.
    private const string HoldReconnect = """
        () => {
          const c = window.chat.client, connect = c.connect.bind(c);
          window.release = null;
          c.connect = cb => { window.release = () => { c.connect = connect; connect(cb); }; };
        }
        """;

    [Fact]
    public async Task Page_should_recover_what_it_missed_while_disconnected_or_say_that_some_may_be_missing()
    {
        var node = await ChatNode.StartAsync(TestConfig.Node(
        [
            "chatcluster.tcp.port = 0", "chatcluster.websocket.port = 0",
            """chatcluster.history.rooms = [ { pattern = "*", size = 100, ttl = 5m } ]""",
        ]));
        try
        {
            var page = await OpenChatAsync(await _chromium.NewContextAsync(), $"http://127.0.0.1:{node.WebPort}", "kim", "defaultRoom");
            await using var nc = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
            await nc.ReadUntilAsync(m => (string?)m["context"] == "response", sendFirst: "roomAdd defaultRoom");
            await Say(nc, "lee: before");
            await Assertions.Expect(Message(page, "lee", "before")).ToBeVisibleAsync();

            await page.EvaluateAsync(HoldReconnect);
            await page.EvaluateAsync("() => window.chat.client.disconnect()");
            await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "disconnected");
            for (var i = 1; i <= 3; i++) await Say(nc, $"lee: missed {i}");
            await page.WaitForFunctionAsync("() => typeof window.release === 'function'");
            await page.EvaluateAsync("() => window.release()");

            await Assertions.Expect(page.Locator("#messages .notice", new() { HasTextString = "3 missed messages recovered" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#messages .msg .text", new() { HasTextString = "missed" })).ToHaveCountAsync(3);
            Assert.Equal(new[] { "missed 1", "missed 2", "missed 3" },
                await page.Locator("#messages .msg .text", new() { HasTextString = "missed" }).AllTextContentsAsync());
            await Say(nc, "lee: live again");
            await Assertions.Expect(Message(page, "lee", "live again")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = ArtifactPath("history-recovered.png") });

            // A position the room cannot continue from (as after a crash of the room's node: another epoch).
            await page.EvaluateAsync(HoldReconnect);
            await page.EvaluateAsync("() => window.chat.client.disconnect()");
            await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "disconnected");
            await Say(nc, "lee: lost one");
            await page.WaitForFunctionAsync("() => typeof window.release === 'function'");
            await page.EvaluateAsync("() => { window.chat.client.positions.defaultRoom.epoch = '1'; window.release(); }");
            await Assertions.Expect(page.Locator("#messages .notice", new() { HasTextString = "Some messages may be missing" })).ToBeVisibleAsync();
            Assert.Equal(0, await Message(page, "lee", "lost one").CountAsync());
        }
        finally
        {
            await node.StopAsync();
        }
    }

    private static async Task Say(TcpTestClient nc, string text)
    {
        await nc.SendLineAsync("say defaultRoom " + text);
        Assert.Equal("OK", (string?)(await nc.ReadUntilAsync(m => (string?)m["context"] == "response"))["status"]);
    }
}
