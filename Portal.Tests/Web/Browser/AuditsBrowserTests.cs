using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Audits;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Audits;
using Portal.Web.Jobs;

namespace Portal.Tests.Web.Browser;

/// <summary>A QA lead in Chromium runs an audit and reads its results: rates with ranges, the trend, the error mix and the guideline gaps.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditsBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task QaLead_RunsAnAuditNow_AndReadsTheResultsOfTwoRuns()
    {
        var projectId = await Db().Projects.Select(p => p.Id).SingleAsync();
        // The demo's own audit of last night is not part of this test: it starts from a project without audits.
        await using (var clean = Db())
        {
            await clean.AuditRuns.ExecuteDeleteAsync();
        }

        // An earlier run over the older half of the demo work, already audited.
        var earlier = RunKeys.OnDemand(DateTime.UtcNow.AddHours(-30));
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AuditRunService>().RunAsync(projectId, earlier, AuditTrigger.OnDemand, null, default);
        }

        await AuditAsync(projectId, everyNth: 3);
        var page = await SignInAsync("reviewer", 1440, 1000);
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/audits").ToString());
        await WaitInteractiveAsync(page);
        await page.Locator("#run-now").ClickAsync();
        await Assertions.Expect(page.Locator("#run-outcome")).ToContainTextAsync("Audit run done");
        await AuditAsync(projectId, everyNth: 5);

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#rates-annotators tbody tr")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#audit-trend")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#guideline-gaps")).ToContainTextAsync("Is a job title part of the name?");
        await Assertions.Expect(page.Locator("#audit-runs .mud-expand-panel")).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("audit-results-1440x1000"), FullPage = true });
    }

    /// <summary>Gives every waiting sample a verdict: every n-th has errors (types in turn), every 7th of those also a guideline gap.</summary>
    private async Task AuditAsync(Guid projectId, int everyNth)
    {
        await using var db = Db();
        var reviewer = await db.Users.Where(u => u.ExternalId == "demo:reviewer").Select(u => u.Id).SingleAsync();
        var waiting = await db.AuditSamples.Where(s => s.ProjectId == projectId && s.Outcome == AuditOutcome.Waiting).OrderBy(s => s.Id).ToListAsync();
        foreach (var (sample, i) in waiting.Select((s, i) => (s, i)))
        {
            var bad = i % everyNth == 0;
            (sample.Outcome, sample.ReviewerId, sample.ReviewedAt) = (bad ? AuditOutcome.HasErrors : AuditOutcome.Correct, reviewer, DateTime.UtcNow);
            if (bad)
            {
                sample.Errors.Add(new AuditSampleError { ProjectId = projectId, ErrorType = (AuditErrorType)(1 + i % 4), LabelKey = sample.LabelKey });
                if (i % 7 == 0)
                {
                    sample.Errors.Add(new AuditSampleError { ProjectId = projectId, ErrorType = AuditErrorType.GuidelineGap, LabelKey = sample.LabelKey, Note = "Is a job title part of the name?" });
                }
            }
        }

        await db.SaveChangesAsync();
    }
}
