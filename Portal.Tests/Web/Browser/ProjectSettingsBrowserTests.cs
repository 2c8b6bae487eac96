using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>The guidelines and settings pages of the demo project in Chromium, with screenshots.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ProjectSettingsBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    private async Task<IPage> OpenAsync(string user, string path, int width = 1440, int height = 1000)
    {
        var page = await SignInAsync(user, width, height);
        await page.GotoAsync(new Uri(App.BaseAddress, path).ToString());
        await WaitInteractiveAsync(page);
        return page;
    }

    [Fact]
    public async Task Manager_AddsATable_SeesItInThePreview_SavesANewVersion_AndSeesItsDiff()
    {
        Guid projectId;
        int current;
        await using (var db = Db())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            current = await db.GuidelineVersions.Where(g => g.ProjectId == projectId).MaxAsync(g => g.Number);
        }

        var page = await OpenAsync("manager", $"/projects/{projectId}/guidelines");
        await page.Locator("#edit-guidelines").ClickAsync();
        var editor = page.Locator("textarea#guidelines-text");
        var text = await editor.InputValueAsync();
        var table = $"| Label | Use for ({Guid.NewGuid():N}) |\n|---|---|\n| Person | names of people |\n| Product | what the customer bought |";
        await editor.FillAsync(text + "\n\n## Which label\n\n" + table);

        var preview = page.Locator("#guidelines-preview table");
        await Assertions.Expect(preview).ToBeVisibleAsync();
        await Assertions.Expect(preview.Locator("td").First).ToHaveTextAsync("Person");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("guidelines-editor-1440x1000"), FullPage = true });
        await page.Locator("#save-guidelines").ClickAsync();

        await Assertions.Expect(page.Locator("#guidelines-version")).ToContainTextAsync($"Version {current + 1}, saved");
        await Assertions.Expect(page.Locator("#current-guidelines table")).ToBeVisibleAsync();
        var row = page.Locator($".guideline-version[data-number='{current + 1}']");
        await Assertions.Expect(row).ToContainTextAsync("Morgan");
        await row.Locator(".show-diff").ClickAsync();
        var added = page.Locator("#guidelines-diff .diff-added");
        await Assertions.Expect(added.Filter(new LocatorFilterOptions { HasText = "| Person | names of people |" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#guidelines-diff")).ToContainTextAsync("7 line(s) added, 0 removed");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("guidelines-history-1440x1000"), FullPage = true });
    }

    [Fact]
    public async Task Annotator_ReadsTheGuidelines_WithoutEditing()
    {
        Guid projectId;
        await using (var db = Db())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        }

        var page = await OpenAsync("annotator1", $"/projects/{projectId}/guidelines");

        await Assertions.Expect(page.Locator("#current-guidelines")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#guidelines-version")).ToContainTextAsync("Version");
        await Assertions.Expect(page.Locator("#edit-guidelines")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#guidelines-history")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("guidelines-annotator-1440x1000"), FullPage = true });
    }

    [Fact]
    public async Task Manager_ChangesReservationMinutes_AndAnInvalidValueShowsAFieldError()
    {
        Guid projectId;
        int before;
        await using (var db = Db())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            before = await db.Projects.Where(p => p.Id == projectId).Select(p => p.ReservationMinutes).SingleAsync();
        }

        var page = await OpenAsync("manager", $"/projects/{projectId}/settings");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("settings-page-1440x1000"), FullPage = true });
        var reservation = page.Locator("input#settings-reservation");
        try
        {
            await reservation.FillAsync("0");
            await page.Locator("#save-general").ClickAsync();
            await Assertions.Expect(page.Locator("#general-settings")).ToContainTextAsync("Reservation time must be between 1 minute and 24 hours.");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("settings-error-1440x1000"), FullPage = true });

            var changed = before == 45 ? 40 : 45;
            await reservation.FillAsync(changed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.Locator("#save-general").ClickAsync();
            await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Saved.");
            await Assertions.Expect(page.Locator("#general-settings")).Not.ToContainTextAsync("Reservation time must be");
            await using var db = Db();
            Assert.Equal(changed, await db.Projects.Where(p => p.Id == projectId).Select(p => p.ReservationMinutes).SingleAsync());
        }
        finally
        {
            // Other browser tests share the demo database.
            await using var db = Db();
            await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.ReservationMinutes, before));
        }
    }
}
