using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Browser;

[Collection(BrowserCollection.Name)]
public sealed class DemoSignInBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Annotator_SignsIn_AndSeesTheDemoProjectWithStartLabeling()
    {
        var page = await SignInAsync("annotator1");
        var home = new HomePageObject(page);

        await Assertions.Expect(home.Heading).ToContainTextAsync("Welcome, Ana");
        await Assertions.Expect(home.StartLabeling(DemoSeeder.ProjectName)).ToBeVisibleAsync();
        await using (var db = Db())
        {
            var complete = await db.Tasks.CountAsync(TaskQueries.IsComplete);
            await Assertions.Expect(home.ProjectCard(DemoSeeder.ProjectName)).ToContainTextAsync($"{complete} of {DemoSeeder.TaskCount} tasks");
        }

        await Assertions.Expect(home.NewProjectButton).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("home-annotator-1366x768"), FullPage = true });
    }

    [Fact]
    public async Task Manager_CreatesAProject_AndItAppearsWithoutAPageLoad()
    {
        var page = await SignInAsync("manager", 1920, 1080);
        var home = new HomePageObject(page);
        await Assertions.Expect(home.NewProjectButton).ToBeVisibleAsync();

        await home.CreateProjectAsync("Chat transcripts");

        await Assertions.Expect(home.ProjectCard("Chat transcripts")).ToContainTextAsync("No tasks yet");
        await Assertions.Expect(page.GetByText("Project \"Chat transcripts\" created")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("home-manager-1920x1080"), FullPage = true });
    }

    [Fact]
    public async Task SignOut_FromTheUserMenu_EndsTheSession()
    {
        var page = await SignInAsync("reviewer");
        await Assertions.Expect(page.Locator("#new-project")).ToHaveCountAsync(0);

        await page.Locator(".user-menu button").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page.GetByText("You are signed out.")).ToBeVisibleAsync();
        await page.GotoAsync(App.BaseAddress.ToString());
        Assert.Contains("/account/signin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manager_AddsAnAnnotatorToANewProject_WhoThenSeesIt()
    {
        var page = await SignInAsync("manager");
        var home = new HomePageObject(page);
        await home.CreateProjectAsync("Returns desk");
        await home.OpenFromMenuAsync("members", "Returns desk");
        await page.Locator("input#member-email").FillAsync("ben.annotator@demo.local");
        await page.Locator("#add-member").ClickAsync();
        await Assertions.Expect(page.Locator("#members")).ToContainTextAsync("Ben Annotator");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("members-1366x768"), FullPage = true });

        var ben = await SignInAsync("annotator2");
        await Assertions.Expect(new HomePageObject(ben).ProjectCard("Returns desk")).ToBeVisibleAsync();
    }
}
