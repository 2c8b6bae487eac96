using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Browser;

/// <summary>The project's home in Chromium: the Overview from a Home card, the menu per role, and the admin's audit log.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ProjectHomeBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Manager_OpensTheProjectFromHome_SeesTheOverviewWithCharts_AndEveryManagerEntry()
    {
        var page = await SignInAsync("manager", 1440, 1000);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("overview-home-cards-1440x1000"), FullPage = true });

        await new HomePageObject(page).ProjectCard(DemoSeeder.ProjectName).Locator("a.open-project").ClickAsync();

        await Assertions.Expect(page.Locator("h1#project-name")).ToHaveTextAsync(DemoSeeder.ProjectName);
        await page.Locator("#progress-panel .progress-chart svg").First.WaitForAsync();
        await page.Locator("#throughput-panel .throughput-chart svg").First.WaitForAsync();
        await Assertions.Expect(page.Locator("#waiting-for-qa .waiting-review")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nav-menu .nav-overview a")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("active"));
        foreach (var entry in Components.NavMenuTests.ManagerEntries)
        {
            await Assertions.Expect(page.Locator($"#nav-menu .nav-{entry} a")).ToBeVisibleAsync();
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("overview-manager-1440x1000"), FullPage = true });
        await page.Locator("#throughput-panel .show-numbers input").CheckAsync();
        await Assertions.Expect(page.Locator("#throughput-numbers tbody tr")).ToHaveCountAsync(30);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("overview-numbers-1440x1000"), FullPage = true });

        await page.Locator("#nav-menu .nav-drift a").ClickAsync();
        await Assertions.Expect(page.Locator("#nav-menu .nav-drift a")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("active"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("nav-manager-drift-1440x1000") });
    }

    [Fact]
    public async Task Annotator_SeesTheirOwnMenu_WithoutTasksSettingsOrQueues()
    {
        var page = await SignInAsync("annotator1", 1366, 900);

        await new HomePageObject(page).ProjectCard(DemoSeeder.ProjectName).Locator("a.open-project").ClickAsync();

        await Assertions.Expect(page.Locator("#waiting-for-you .waiting-to-label")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nav-menu .nav-label a")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nav-menu .nav-guidelines a")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nav-menu .nav-tasks")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#nav-menu .nav-settings")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#nav-menu .nav-review")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#waiting-for-qa")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("nav-annotator-overview-1366x900"), FullPage = true });
    }

    [Fact]
    public async Task Admin_OpensTheAuditLog_AndFiltersItByAction()
    {
        var page = await SignInAsync("admin", 1440, 1000);

        await page.Locator("#nav-menu .nav-audit-log a").ClickAsync();
        await page.Locator("#audit-log .audit-entry").First.WaitForAsync();
        await WaitInteractiveAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-log-1440x1000"), FullPage = true });

        await page.Locator("#filter-action").FillAsync("taxonomy.");
        await page.Locator("#search").ClickAsync();

        await Assertions.Expect(page.Locator("#audit-log .audit-entry:not([data-action^='taxonomy.'])")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#audit-log .audit-entry[data-action='taxonomy.publish']").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-log-filtered-1440x1000"), FullPage = true });
    }

    [Fact]
    public async Task Manager_OpeningTheAuditLog_ReadsThatItNeedsTheAdminRole()
    {
        var page = await SignInAsync("manager");

        await page.GotoAsync(new Uri(App.BaseAddress, "/admin/audit-log").ToString());

        await Assertions.Expect(page.Locator("#no-access")).ToContainTextAsync("needs the Admin role");
        await Assertions.Expect(page.Locator("#nav-menu .nav-audit-log")).ToHaveCountAsync(0);
    }
}
