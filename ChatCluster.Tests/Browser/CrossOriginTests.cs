using System.Text.Json;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;
using static ChatCluster.Tests.Browser.BrowserPages;

namespace ChatCluster.Tests.Browser;

/// <summary>
/// A page of another site embeds the client with one script tag from the node and calls an action before connecting
/// (the client's HTTP fallback, a JSON POST, so Chromium sends a CORS preflight first).
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class CrossOriginTests
{
    private readonly ChromiumFixture _chromium;

    public CrossOriginTests(ChromiumFixture chromium) => _chromium = chromium;

    private static Task<ChatNode> StartNodeAsync(params string[] overrides) => ChatNode.StartAsync(TestConfig.Node(overrides));

    private static string Page(int nodePort) => $$"""
        <!doctype html><html><head><title>another site</title>
        <script src="http://127.0.0.1:{{nodePort}}/public/javascript/ActionheroWebsocketClient.js"></script></head>
        <body><p>another site</p></body></html>
        """;

    // Before connect, action() goes over HTTP; then the same client connects and chats (its url is the script's origin).
    private const string Session = """
        room => new Promise(done => {
          const client = new ActionheroWebsocketClient();
          const result = { stateBefore: client.state };
          client.action('createChatRoom', { name: room }, created => {
            result.created = created;
            if (created.error) { done(result); return; }
            client.connect((error, details) => {
              result.fingerprint = details.data.fingerprint;
              client.on('say', m => { result.heard = m.message; done(result); });
              client.roomAdd(room, () => client.say(room, 'made it'));
            });
          });
        })
        """;

    [Fact]
    public async Task A_page_on_another_origin_runs_an_action_before_connecting_then_chats()
    {
        var node = await StartNodeAsync();
        try
        {
            await using var site = await OriginServer.StartAsync(Page(node.WebPort));
            var page = await (await _chromium.NewContextAsync()).NewPageAsync();
            await page.GotoAsync(site.Url);
            var result = await page.EvaluateAsync<JsonElement>(Session, "cors-room");
            Assert.Equal("disconnected", result.GetProperty("stateBefore").GetString());
            var created = result.GetProperty("created");
            Assert.True(created.TryGetProperty("didCreate", out var didCreate) && didCreate.GetBoolean(), "createChatRoom over HTTP: " + result);
            Assert.Equal("cors-room", created.GetProperty("name").GetString());
            Assert.Equal("made it", result.GetProperty("heard").GetString());
            Assert.Contains("cors-room", await node.Api.ListAsync());
        }
        finally
        {
            await node.StopAsync();
        }
    }

    [Fact]
    public async Task An_origin_not_allowed_gets_a_cors_error_and_runs_nothing()
    {
        var node = await StartNodeAsync("chatcluster.web.cors.allowed-origins = [\"http://allowed.example\"]");
        try
        {
            await using var site = await OriginServer.StartAsync(Page(node.WebPort));
            var page = await (await _chromium.NewContextAsync()).NewPageAsync();
            await page.GotoAsync(site.Url);
            var result = await page.EvaluateAsync<JsonElement>(Session, "blocked-room");
            // XMLHttpRequest reports a CORS refusal as status 0 with no text.
            Assert.Equal("", result.GetProperty("created").GetProperty("error").GetProperty("responseText").GetString());
            Assert.DoesNotContain("blocked-room", await node.Api.ListAsync());
        }
        finally
        {
            await node.StopAsync();
        }
    }
}
