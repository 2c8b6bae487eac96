using Microsoft.Playwright;

namespace Portal.Tests.Web.Browser;

/// <summary>Page objects: what a user sees and does, so tests read like the flow.</summary>
public sealed class SignInPageObject(IPage page, Uri baseAddress)
{
    public async Task SignInAsDemoUserAsync(string key)
    {
        await page.GotoAsync(new Uri(baseAddress, "/account/signin").ToString());
        await page.Locator($"button[data-user='demo:{key}']").ClickAsync();
        try
        {
            // Committed, not loaded: the home page's own load is checked by what the test does next, and a slow load
            // event (a stylesheet under CI load) is not a failed sign-in.
            await page.WaitForURLAsync(new Uri(baseAddress, "/").ToString(), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException ex)
        {
            // Seen once in CI, not reproduced: say where the browser was, so the next occurrence tells why.
            var error = await page.Locator("#signin-error").AllInnerTextsAsync();
            throw new TimeoutException($"Demo sign-in as {key} did not reach the home page; the browser is at {page.Url}{(error.Count > 0 ? $", showing \"{error[0]}\"" : "")}.", ex);
        }

        await page.Locator("#portal-interactive").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
    }
}

public sealed class HomePageObject(IPage page)
{
    public ILocator Heading => page.Locator("h1");

    public ILocator ProjectCard(string name) => page.Locator(".project-card", new PageLocatorOptions { HasText = name });

    public ILocator StartLabeling(string project) => ProjectCard(project).Locator("a.start-labeling");

    public ILocator NewProjectButton => page.Locator("#new-project");

    /// <summary>An entry of the project's left menu (shown on the project's pages), by its key ("taxonomy", "review"…).</summary>
    public ILocator MenuEntry(string entry) => page.Locator($"#nav-menu .nav-{entry} a");

    /// <summary>Opens a project from its card (the only or first one when not named), then a page from its menu.</summary>
    public async Task OpenFromMenuAsync(string entry, string? project = null)
    {
        var card = project is null ? page.Locator(".project-card").First : ProjectCard(project);
        await card.Locator("a.open-project").ClickAsync();
        await MenuEntry(entry).ClickAsync();
    }

    public async Task CreateProjectAsync(string name)
    {
        await NewProjectButton.ClickAsync();
        await page.Locator("input#project-name").FillAsync(name);
        await page.Locator("#create-project").ClickAsync();
    }
}
