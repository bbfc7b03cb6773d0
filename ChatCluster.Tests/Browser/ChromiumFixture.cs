using Microsoft.Playwright;

namespace ChatCluster.Tests.Browser;

/// <summary>
/// One headless Debian Chromium (<c>/usr/bin/chromium</c>, installed by .ci/run; never a downloaded browser) for the
/// whole "Chromium" collection, driven by Playwright for .NET through the driver its NuGet package ships.
/// Playwright starts Chromium with a fresh temporary user-data dir of its own and deletes it on close; each test
/// takes its own browser context (cookies and storage apart).
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium package; <c>CHATCLUSTER_CHROMIUM</c> overrides.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHATCLUSTER_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] Args =
    {
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    };

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    private readonly List<IBrowserContext> _contexts = new();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"Chromium is not installed at {ExecutablePath}: apt-get install -y chromium (.ci/run does this)");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
        });
    }

    /// <summary>A new context (own cookies, storage) of the one browser.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 760 } });
        lock (_contexts) _contexts.Add(context);
        return context;
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Chromium";
}
