using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Reports;

namespace Portal.Tests.Web.Browser;

/// <summary>Morgan (the demo manager) generates a workbook on the Reports page, downloads it, and it opens with openpyxl and LibreOffice.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportsBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    // Reports are durable runs: this portal runs its own Hangfire server (the test portals run none by default).
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Portal:Jobs:RunServer"] = "true",
        ["Portal:Jobs:WorkerCount"] = "1",
    };

    /// <summary>The demo project's Reports page, signed in as a demo user, ready for clicks.</summary>
    private async Task<IPage> ReportsPageAsync(string demoUser)
    {
        Guid projectId;
        await using (var db = Db())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        }

        var page = await SignInAsync(demoUser);
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/reports").ToString());
        await WaitInteractiveAsync(page);
        return page;
    }

    [Fact]
    public async Task Manager_GeneratesAReport_DownloadsAWorkbookThatOpens()
    {
        var manager = await ReportsPageAsync("manager");
        await manager.Locator("#generate").ClickAsync();
        await Assertions.Expect(manager.Locator("#report-history, #report-error")).ToBeVisibleAsync();
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("reports-page-started"), FullPage = true });
        await Assertions.Expect(manager.Locator("#report-error")).ToHaveCountAsync(0);
        var download = manager.Locator(".report-download").First;
        await Assertions.Expect(download).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("reports-page-1366x900"), FullPage = true });

        var file = await manager.RunAndWaitForDownloadAsync(() => download.ClickAsync());
        var path = Path.Combine(Directory.CreateTempSubdirectory("report-download").FullName, "report.xlsx");
        await file.SaveAsAsync(path);

        var book = await ExternalReaders.ReadAsync(path);
        var sheets = book.GetProperty("sheets").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["About", "Summary", "Progress", "Annotators", "Agreement", "Audits", "Drift", "Guideline gaps", "Detail"], sheets);
        var agreement = book.GetProperty("sheets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Agreement");
        Assert.Contains("LineChart", agreement.GetProperty("charts").EnumerateArray().Select(c => c.GetString()));
        await ExternalReaders.RenderFirstPageAsync(path, "report-demo-page1");
    }

    [Fact]
    public async Task Manager_SchedulesAWeeklyReport_QaLeadSeesItReadOnly_WithTheQualitySheetsOnly()
    {
        var manager = await ReportsPageAsync("manager");
        await Assertions.Expect(manager.Locator("#schedule-no-mail")).ToBeVisibleAsync();
        await manager.Locator("#add-schedule").ClickAsync();
        await Assertions.Expect(manager.Locator("#schedule-save")).ToBeVisibleAsync();
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("reports-schedule-dialog"), FullPage = true });
        await manager.Locator("#schedule-save").ClickAsync();
        var row = manager.Locator("#schedule-list .schedule-when", new PageLocatorOptions { HasText = "Every Monday at 06:00" });
        await Assertions.Expect(row).ToContainTextAsync("Every Monday at 06:00");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("reports-schedules-manager"), FullPage = true });

        var lead = await ReportsPageAsync("reviewer");
        await Assertions.Expect(lead.Locator("#schedule-list .schedule-when", new PageLocatorOptions { HasText = "Every Monday at 06:00" })).ToHaveCountAsync(1);
        await Assertions.Expect(lead.Locator("#schedule-read-only")).ToBeVisibleAsync();
        await Assertions.Expect(lead.Locator("#add-schedule, .schedule-edit, .schedule-delete")).ToHaveCountAsync(0);
        await Assertions.Expect(lead.Locator("#sheet-agreement")).ToBeVisibleAsync();
        await Assertions.Expect(lead.Locator("#sheet-summary, #sheet-progress, #sheet-detail")).ToHaveCountAsync(0);
        await lead.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("reports-page-qa-lead"), FullPage = true });
    }
}
