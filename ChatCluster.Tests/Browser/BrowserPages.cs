using Microsoft.Playwright;

namespace ChatCluster.Tests.Browser;

/// <summary>Shared steps of the Chromium tests: the chat page, artifacts.</summary>
public static class BrowserPages
{
    /// <summary>How long a browser-side expectation may take on a busy 2-core box.</summary>
    public const float ExpectMs = 20_000;

    static BrowserPages() => Assertions.SetDefaultExpectTimeout(ExpectMs);

    /// <summary>Opens the chat page at <paramref name="baseUrl"/>, picks <paramref name="name"/> and joins <paramref name="room"/>.</summary>
    public static async Task<IPage> OpenChatAsync(IBrowserContext context, string baseUrl, string name, string room)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(ExpectMs);
        await page.GotoAsync($"{baseUrl}/?room={Uri.EscapeDataString(room)}");
        if (await page.Locator("#name-dialog[open]").CountAsync() > 0) // a second page of the same browser remembers the name
        {
            await page.FillAsync("#name-input", name);
            await page.ClickAsync("#name-save");
        }
        await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected");
        await page.WaitForFunctionAsync("r => window.chat.state.joined.includes(r)", room, new() { Timeout = ExpectMs });
        return page;
    }

    public static async Task SayAsync(IPage page, string text)
    {
        await page.FillAsync("#message", text);
        await page.PressAsync("#message", "Enter");
    }

    /// <summary>A message line on the page: author and text.</summary>
    public static ILocator Message(IPage page, string who, string text) =>
        page.Locator("#messages .msg").Filter(new() { Has = page.Locator(".who", new() { HasTextString = who }) })
            .Filter(new() { Has = page.Locator(".text", new() { HasTextString = text }) });

    /// <summary>TestResults/browser under the repository root (the folder with ChatCluster.slnx): screenshots for people to look at.</summary>
    public static string ArtifactPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChatCluster.slnx"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "TestResults", "browser");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
