using Portal.Core.Security;
using Portal.Web.Audits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Core.Audits;
using Portal.Core.Jobs;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Auth;

namespace Portal.Tests.Web.Browser;

/// <summary>Scorecards and an annotator's own quality feedback in Chromium, over the demo project with one audited night added.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QualityBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    private sealed record Audited(Guid ProjectId, Guid AnaId, Guid BenId, long FlaggedTaskId, string SpanText);

    /// <summary>A night's audit of two of Ana's submissions (one with a boundary error, sent back; one correct) and three gold scores.</summary>
    private async Task<Audited> AuditAnaAsync()
    {
        await using var db = Db();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var ana = await db.Users.Where(u => u.ExternalId == UserDirectory.DemoPrefix + "annotator1").Select(u => u.Id).SingleAsync();
        var ben = await db.Users.Where(u => u.ExternalId == UserDirectory.DemoPrefix + "annotator2").Select(u => u.Id).SingleAsync();
        var reviewer = await db.Users.Where(u => u.ExternalId == UserDirectory.DemoPrefix + "reviewer").Select(u => u.Id).SingleAsync();
        // Not her check tasks: the demo has scored those already.
        var work = await db.Annotations.Where(a => a.ProjectId == projectId && a.UserId == ana && a.SubmittedAt != null && !db.GoldScores.Any(g => g.AnnotationId == a.Id))
            .OrderByDescending(a => a.SubmittedAt).Take(3).Select(a => new { a.Id, a.TaskId, a.Version, Text = db.Tasks.Where(t => t.Id == a.TaskId).Select(t => t.Text).Single() }).ToListAsync();
        var now = DateTime.UtcNow;
        // This test is about a project that keeps gold feedback off (the demo shows it; another test may have switched it on).
        await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.ShowGoldFeedback, false));
        // The demo's own audit of last night is not part of this test: Ana's feedback is exactly the two items below.
        await db.AuditRuns.ExecuteDeleteAsync();
        var run = new AuditRun { Id = Guid.CreateVersion7(), ProjectId = projectId, RunKey = "browser-night", State = RunState.Succeeded, WindowStart = now.AddDays(-1), WindowEnd = now, CreatedAt = now };
        db.AuditRuns.Add(run);
        var flagged = new AuditSample
        {
            AuditRunId = run.Id, ProjectId = projectId, AnnotationId = work[0].Id, TaskId = work[0].TaskId, AnnotatorId = ana, Stratum = "browser", AnnotationVersion = work[0].Version,
            Outcome = AuditOutcome.HasErrors, ReviewerId = reviewer, ReviewedAt = now.AddMinutes(-5), SentBack = true, Note = "Check the guideline on titles.",
        };
        flagged.Errors.Add(new AuditSampleError { ProjectId = projectId, ErrorType = AuditErrorType.Boundary, ControlName = "entities", Start = 0, End = 5, Note = "The span should end one word later." });
        db.AuditSamples.Add(flagged);
        db.AuditSamples.Add(new AuditSample
        {
            AuditRunId = run.Id, ProjectId = projectId, AnnotationId = work[1].Id, TaskId = work[1].TaskId, AnnotatorId = ana, Stratum = "browser", AnnotationVersion = work[1].Version,
            Outcome = AuditOutcome.Correct, ReviewerId = reviewer, ReviewedAt = now.AddMinutes(-4),
        });
        db.GoldScores.AddRange(work.Select((w, i) => new GoldScoreEntry
        {
            AnnotationId = w.Id, TaskId = w.TaskId, ProjectId = projectId, UserId = ana, Score = 0.6 + 0.15 * i, PerLabelJson = "{}", ScoredAt = now.AddHours(i - 3),
        }));
        await db.SaveChangesAsync();
        return new Audited(projectId, ana, ben, work[0].TaskId, work[0].Text[..5]);
    }

    private async Task<ScorecardFigures> FiguresAsync(Guid projectId, Guid annotatorId)
    {
        using var scope = App.Services.CreateScope();
        var lead = new PortalPrincipal(Guid.CreateVersion7(), "Test admin", new HashSet<string> { AppRoles.Admin });
        return (await scope.ServiceProvider.GetRequiredService<ScorecardService>().GetAsync(lead, projectId, annotatorId, null, null, default)).Figures;
    }

    [Fact]
    public async Task Annotator_SeesTheAuditErrorOnTheirOwnWork_AndCannotOpenAnotherAnnotatorsScorecard()
    {
        var audited = await AuditAnaAsync();
        var page = await SignInAsync("annotator1");

        await new HomePageObject(page).OpenFromMenuAsync("my-quality");
        var item = page.Locator(".audit-item", new PageLocatorOptions { Has = page.Locator(".verdict-errors") });
        await Assertions.Expect(item).ToContainTextAsync("Boundary");
        await Assertions.Expect(item).ToContainTextAsync($"“{audited.SpanText}”");
        await Assertions.Expect(item).ToContainTextAsync("The span should end one word later.");
        await Assertions.Expect(item).ToContainTextAsync("Check the guideline on titles.");
        await Assertions.Expect(item.Locator("a.fix-it")).ToHaveAttributeAsync("href", $"/projects/{audited.ProjectId}/label?task={audited.FlaggedTaskId}");
        await Assertions.Expect(page.Locator(".audit-item")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".audit-item .verdict-correct")).ToHaveCountAsync(1);
        // With gold feedback off: the aggregate score only, never which tasks were gold.
        await Assertions.Expect(page.Locator("#gold-feedback")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#figure-gold")).ToHaveTextAsync(ScorecardText.Percent((await FiguresAsync(audited.ProjectId, audited.AnaId)).Gold.Mean));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("my-quality-1366x900"), FullPage = true });

        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{audited.ProjectId}/scorecards/{audited.BenId}").ToString());
        await Assertions.Expect(page.Locator("#no-access")).ToContainTextAsync("needs the Reviewer role");
        Assert.DoesNotContain("Ben Annotator", await page.ContentAsync(), StringComparison.Ordinal);
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{audited.ProjectId}/scorecards").ToString());
        await Assertions.Expect(page.Locator("#no-access")).ToContainTextAsync("needs the Reviewer role");
    }

    [Fact]
    public async Task QaLead_OpensAnAnnotatorsScorecardFromTheList_AndAManagerSetsTheQualityKnobs()
    {
        var audited = await AuditAnaAsync();
        var reviewer = await SignInAsync("reviewer", 1440, 1000);

        await new HomePageObject(reviewer).OpenFromMenuAsync("scorecards");
        await Assertions.Expect(reviewer.Locator("#scorecards")).ToContainTextAsync("Ana Annotator");
        await WaitInteractiveAsync(reviewer);
        // The row shows what the service computes (the demo and other tests audit Ana too); the service's figures are tested against hand values.
        var ana = await FiguresAsync(audited.ProjectId, audited.AnaId);
        await Assertions.Expect(reviewer.Locator("#scorecards tr", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("(^|[^D])Ana Annotator") }).Locator(".audit-rate"))
            .ToContainTextAsync(ScorecardText.Interval(ana.Audit.ErrorRate));
        await reviewer.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("scorecards-1440x1000"), FullPage = true });
        await reviewer.Locator("a.annotator", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Ana Annotator") }).ClickAsync();
        await Assertions.Expect(reviewer.Locator("#scorecard-name")).ToHaveTextAsync("Ana Annotator");
        await Assertions.Expect(reviewer.Locator("#figure-audit")).ToContainTextAsync("Wilson 95 %");
        await Assertions.Expect(reviewer.Locator("#gold-trend svg")).ToHaveCountAsync(1);
        await Assertions.Expect(reviewer.Locator("#person-history")).ToContainTextAsync($"Audit of task {audited.FlaggedTaskId}: 1 error, sent back");
        await reviewer.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("scorecard-1440x1000"), FullPage = true });

        var manager = await SignInAsync("manager");
        await new HomePageObject(manager).OpenFromMenuAsync("quality-settings");
        await WaitInteractiveAsync(manager);
        await manager.Locator("#audit-margin").FillAsync("40");
        await manager.Locator("#save-quality").ClickAsync();
        await Assertions.Expect(manager.Locator(".mud-input-control", new() { Has = manager.Locator("#audit-margin") })).ToContainTextAsync("between 1 and 25 %");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("quality-settings-1366x900"), FullPage = true });
        await manager.Locator("#audit-margin").FillAsync("3");
        await manager.Locator("#save-quality").ClickAsync();
        await Assertions.Expect(manager.Locator(".mud-snackbar")).ToContainTextAsync("Saved");
        await using var db = Db();
        Assert.Equal(0.03, await db.Projects.Where(p => p.Id == audited.ProjectId).Select(p => p.AuditMarginOfError).SingleAsync(), 9);
    }

    [Fact]
    public async Task Manager_CreatesAProject_WithAFixedAuditPercentage()
    {
        var page = await SignInAsync("manager");
        await page.Locator("#new-project").ClickAsync();
        await page.Locator("input#project-name").FillAsync("Audited by share");
        await Assertions.Expect(page.Locator("input#audit-rate")).ToBeDisabledAsync();
        await page.Locator(".mud-input-control.mud-select", new() { Has = page.Locator("#audit-sizing") }).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "A fixed percentage" }).ClickAsync();
        await page.Locator("input#audit-rate").FillAsync("12");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("new-project-audits-1366x900") });
        await page.Locator("#create-project").ClickAsync();
        await Assertions.Expect(page.GetByText("Project \"Audited by share\" created")).ToBeVisibleAsync();

        await using var db = Db();
        var project = await db.Projects.SingleAsync(p => p.Name == "Audited by share");
        Assert.Equal((AuditSizing.Percent, 12), (project.AuditSizing, project.AuditRatePercent));
    }
}
