using ChatCluster.Tests.Support;
using Microsoft.Playwright;
using static ChatCluster.Tests.Browser.BrowserPages;

namespace ChatCluster.Tests.Browser;

/// <summary>The chat page at / in real Chromium, against one node: pages, TCP users, the session cookie.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class BrowserChatTests : IClassFixture<NodeFixture>
{
    private readonly ChromiumFixture _chromium;
    private readonly NodeFixture _node;

    public BrowserChatTests(ChromiumFixture chromium, NodeFixture node)
    {
        _chromium = chromium;
        _node = node;
    }

    private string Url => $"http://127.0.0.1:{_node.WebPort}";

    [Fact]
    public async Task Two_pages_chat_through_one_node()
    {
        var room = await _node.NewRoomAsync("two-pages");
        var alice = await OpenChatAsync(await _chromium.NewContextAsync(), Url, "alice", room);
        var bob = await OpenChatAsync(await _chromium.NewContextAsync(), Url, "bob", room);

        await SayAsync(alice, "hello bob");
        await Assertions.Expect(Message(bob, "alice", "hello bob")).ToBeVisibleAsync();
        await Assertions.Expect(Message(alice, "alice", "hello bob")).ToBeVisibleAsync();
        await SayAsync(bob, "hi alice");
        await Assertions.Expect(Message(alice, "bob", "hi alice")).ToBeVisibleAsync();

        // Who is in the room, by name, and the room list's member count.
        await Assertions.Expect(alice.Locator("#members .member")).ToHaveCountAsync(2);
        await Assertions.Expect(alice.Locator("#members")).ToContainTextAsync("bob");
        await Assertions.Expect(alice.Locator($"#rooms li[data-room='{room}'] .count")).ToHaveTextAsync("2");

        // Leaving shows on the other page.
        await bob.ClickAsync("#leave");
        await Assertions.Expect(alice.Locator("#members .member")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_page_and_a_tcp_client_chat()
    {
        var room = await _node.NewRoomAsync("page-tcp");
        var page = await OpenChatAsync(await _chromium.NewContextAsync(), Url, "carol", room);
        await using var nc = await (await _node.Tcp()).Welcomed();
        Assert.Equal("OK", (string?)(await nc.RequestAsync($"roomAdd {room}"))["status"]);

        await nc.SendLineAsync($"say {room} dave: hello from nc");
        await Assertions.Expect(Message(page, "dave", "hello from nc")).ToBeVisibleAsync();

        await SayAsync(page, "hello from the browser");
        var heard = await nc.ReadUntilAsync(m => (string?)m["context"] == "user" && (string?)m["message"] == "carol: hello from the browser");
        Assert.Equal(room, (string?)heard["room"]);
        await Assertions.Expect(page.Locator("#members .member")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task Fingerprint_is_the_session_cookie()
    {
        var context = await _chromium.NewContextAsync();
        var room = await _node.NewRoomAsync("cookie");
        var page = await OpenChatAsync(context, Url, "erin", room);
        var cookie = (await context.CookiesAsync(new[] { Url })).Single(c => c.Name == "sessionID");
        Assert.Equal(40, cookie.Value.Length);
        Assert.False(cookie.HttpOnly); // as ActionHero: the client reads it
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        var details = await page.EvaluateAsync<System.Text.Json.JsonElement>("""
            () => new Promise(done => window.chat.client.detailsView(r => done({ id: r.data.id, fingerprint: r.data.fingerprint })))
            """);
        Assert.Equal(cookie.Value, details.GetProperty("fingerprint").GetString());
        Assert.NotEqual(details.GetProperty("id").GetString(), details.GetProperty("fingerprint").GetString());

        // A second page of the same browser shares the fingerprint; another browser context does not.
        var second = await OpenChatAsync(context, Url, "erin", room);
        Assert.Equal(cookie.Value, await second.EvaluateAsync<string>("() => window.chat.client.fingerprint"));
        var other = await OpenChatAsync(await _chromium.NewContextAsync(), Url, "frank", room);
        Assert.NotEqual(cookie.Value, await other.EvaluateAsync<string>("() => window.chat.client.fingerprint"));
    }
}
