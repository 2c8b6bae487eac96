using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Web.Components.Audits;

namespace Portal.Tests.Web.Components;

public class AuditsPageTests : ComponentTestContext
{
    [Fact]
    public async Task QaLead_RunsAnAuditNow_AndSeesTheRunItsPlanAndTheErrorRatesWithTheirRange()
    {
        await SignInAsync("reviewer");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        // The demo's own audit of last night is not part of this test: it starts from a project without audits.
        await db.AuditRuns.ExecuteDeleteAsync();
        var cut = Render(WithProviders<AuditsPage>(("ProjectId", projectId)));
        cut.WaitForAssertion(() => cut.Find("#run-now"));
        Assert.Contains("No audit has run yet", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("Wilson score", cut.Markup, StringComparison.Ordinal);

        cut.Find("#run-now").Click();

        cut.WaitForAssertion(() => Assert.Contains("Audit run done", cut.Find("#run-outcome").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var sampled = await db.AuditSamples.OrderBy(s => s.Id).ToListAsync();
        Assert.NotEmpty(sampled);
        Assert.Contains($"Audit queue ({sampled.Count} waiting)", cut.Find("#open-queue").TextContent, StringComparison.Ordinal);
        Assert.Contains("no earlier audit", cut.Find("#audit-runs").TextContent, StringComparison.Ordinal);

        // A QA lead audits two of one annotator's items and finds an error in one: 1 of 2, Wilson 95 % 9.5 % to 90.5 %.
        var annotator = sampled[0].AnnotatorId;
        foreach (var (sample, i) in sampled.Where(s => s.AnnotatorId == annotator).Take(2).Select((s, i) => (s, i)))
        {
            sample.Outcome = i == 0 ? AuditOutcome.HasErrors : AuditOutcome.Correct;
            sample.ReviewedAt = DateTime.UtcNow;
        }

        await db.SaveChangesAsync();
        // Running again (the same minute is the same run; a later one finds nothing new) reloads the figures.
        cut.Find("#run-now").Click();
        cut.WaitForAssertion(() => Assert.Contains("50.0", cut.Find("#rates-annotators").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("9.5", cut.Find("#rates-annotators").TextContent, StringComparison.Ordinal);
        Assert.Contains("90.5", cut.Find("#rates-annotators").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Annotator_IsToldTheResultsNeedTheReviewerRole()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();

        var cut = Render(WithProviders<AuditsPage>(("ProjectId", projectId)));

        cut.WaitForAssertion(() => Assert.Contains("Reviewer role", cut.Find("#no-access").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#run-now"));
    }
}
