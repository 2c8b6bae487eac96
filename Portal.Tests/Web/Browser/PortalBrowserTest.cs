using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>A browser test against its own portal on 127.0.0.1 with the demo data; its pages close before the portal stops.</summary>
public abstract class PortalBrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    protected BrowserFixture Browser => browser;

    protected TestPortal App { get; private set; } = default!;

    /// <summary>Settings of this test's portal (its own jobs server, for example).</summary>
    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public async Task InitializeAsync() => App = await TestPortal.StartAsync(Settings);

    public async Task DisposeAsync()
    {
        await browser.CloseTestPagesAsync();
        await App.DisposeAsync();
    }

    protected async Task<IPage> SignInAsync(string user, int width = 1366, int height = 900)
    {
        var page = await browser.NewPageAsync(width, height);
        await new SignInPageObject(page, App.BaseAddress).SignInAsDemoUserAsync(user);
        return page;
    }

    protected static async Task WaitInteractiveAsync(IPage page) =>
        await page.Locator("#portal-interactive").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    /// <summary>
    /// Clicks until what the click brings has appeared (at most three tries): on a loaded machine a click that lands
    /// while the page still re-renders after the previous step can be lost, and a person would click again.
    /// </summary>
    protected static async Task ClickUntilAsync(ILocator target, Func<Task> appeared)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Clicked already and the page moved on, only slowly: wait again rather than click what is gone.
            if (attempt == 1 || await target.CountAsync() > 0)
            {
                await target.ClickAsync();
            }

            try
            {
                await appeared();
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Waits until the span editor listens to the mouse and the keyboard (its script attaches after the first render).</summary>
    protected static async Task WaitEditorAsync(IPage page) =>
        await page.Locator(".span-text[data-ready='true']").First.WaitForAsync();

    /// <summary>Drags the mouse over the first two characters of the task text; the way a person selects it; the selection snaps to the whole word, which it returns.</summary>
    protected static Task<string> DragOverFirstWordAsync(IPage page) => SpanGestures.DragOverFirstWordAsync(page);

    protected PortalDbContext Db() => App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
}
