using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Core.Audits;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Audits;

namespace Portal.Tests.Web.Browser;

/// <summary>A QA lead in Chromium works through the audit queue with the keyboard only.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task QaLead_AuditsTwoItemsWithTheKeyboard_AndTheWaitingCountDrops_ThenPassesOverTheThird()
    {
        await using (var db = Db())
        {
            var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            // The demo's own audit of last night is not part of this test: it starts from a project without audits.
            await db.AuditRuns.ExecuteDeleteAsync();
            var reviewer = await db.Users.Where(u => u.ExternalId.EndsWith("reviewer")).Select(u => u.Id).SingleAsync();
            await AuditQueueTestData.SampleAsync(db, projectId, await AuditQueueTestData.SubmittedAsync(db, projectId, 3, except: reviewer), "2026-11-28");
        }

        var page = await SignInAsync("reviewer", 1440, 1000);
        await Assertions.Expect(page.Locator("a.audit")).ToContainTextAsync("3");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-home-card-1440x1000"), FullPage = true });
        await page.Locator("a.audit").ClickAsync();
        await page.Locator("#audit-item").WaitForAsync();
        await WaitInteractiveAsync(page);
        await WaitEditorAsync(page);
        await Assertions.Expect(page.Locator("#waiting")).ToHaveTextAsync("3 waiting");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-queue-1440x1000"), FullPage = true });

        await page.Keyboard.PressAsync("c");
        await Assertions.Expect(page.Locator("#waiting")).ToHaveTextAsync("2 waiting");

        await WaitEditorAsync(page);
        await page.Keyboard.PressAsync("s");
        await page.Keyboard.PressAsync("e");
        await page.Locator("#error-picker").WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-error-picker-1440x1000"), FullPage = true });
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(page.Locator("#marked-errors")).ToContainTextAsync("wrong label");
        await page.Keyboard.PressAsync("Control+Enter");

        await Assertions.Expect(page.Locator("#waiting")).ToHaveTextAsync("1 waiting");

        // The third: F opens the editor (a fix), then the QA lead stops fixing and passes it over with N.
        await WaitEditorAsync(page);
        await page.Keyboard.PressAsync("f");
        await page.Locator("#stop-fixing").WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-fix-1440x1000"), FullPage = true });
        await page.Locator("#stop-fixing").ClickAsync();
        // The item's own text (not the editor's, which the click removes) listens to the keys again.
        await page.Locator("#audit-targets").WaitForAsync();
        await WaitEditorAsync(page);
        await page.Keyboard.PressAsync("n");

        await Assertions.Expect(page.Locator("#queue-empty")).ToContainTextAsync("Nothing to audit");
        await Assertions.Expect(page.Locator("#start-over")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#waiting")).ToHaveTextAsync("1 waiting");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-empty-1440x1000"), FullPage = true });
        await using var check = Db();
        var outcomes = await check.AuditSamples.OrderBy(s => s.Id).Select(s => s.Outcome).ToListAsync();
        Assert.Equal([AuditOutcome.Correct, AuditOutcome.HasErrors, AuditOutcome.Waiting], outcomes);
        Assert.Equal(AuditErrorType.WrongLabel, (await check.AuditSampleErrors.SingleAsync()).ErrorType);
    }
}
