using Microsoft.Playwright;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright, headless. Never downloads a browser: scripts/test.sh installs
/// the chromium package, and PORTAL_CHROMIUM may point elsewhere.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public IPlaywright Playwright { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("PORTAL_CHROMIUM") is { Length: > 0 } custom ? custom : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not installed at {executable}. Run scripts/test.sh, which installs Debian's chromium package.");
        }

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task<IPage> NewPageAsync(int width = 1366, int height = 768)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Closes every page a test opened. Called before its portal stops: a page left open keeps trying to reconnect its
    /// Blazor circuit to the stopped server and slows every later test.
    /// </summary>
    public async Task CloseTestPagesAsync()
    {
        foreach (var context in Browser.Contexts.ToList())
        {
            await context.CloseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
