using Portal.Core.Audits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Demo;

public class DemoSeederTests
{
    [Fact]
    public async Task SeedAsync_Twice_SeedsOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seeder = database.Get<DemoSeeder>();

        await seeder.SeedAsync();
        await seeder.SeedAsync();

        await using var db = await database.ContextAsync();
        Assert.Equal(DemoSeeder.Users.Count, await db.Users.CountAsync());
        Assert.Equal(DemoSeeder.TaskCount, await db.Tasks.CountAsync());
        var anaAndBen = await db.Users.Where(u => u.ExternalId == "demo:annotator1" || u.ExternalId == "demo:annotator2").Select(u => u.Id).ToListAsync();
        var gold = db.Tasks.Where(t => t.IsGold).Select(t => t.Id);
        // The labeled tasks, and the three they decided six weeks ago (the drift demo's old work).
        Assert.Equal((DemoSeeder.LabeledTaskCount + DemoDrift.OldTasks) * 2, await db.Annotations.CountAsync(a => anaAndBen.Contains(a.UserId) && !gold.Contains(a.TaskId)));
        Assert.Equal(1, await db.Projects.CountAsync());
        Assert.Equal(DemoSeeder.LabeledTaskCount + DemoDrift.OldTasks, await db.TaskEvents.Where(e => !gold.Contains(e.TaskId)).Select(e => e.TaskId).Distinct().CountAsync());
        Assert.True(await db.Labels.AnyAsync(l => l.ParentKey != null), "The demo taxonomy is nested.");
    }

    [Fact]
    public async Task SeedAsync_ShowsGold_OnboardingAndAutoPause()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();

        Assert.Equal(DemoGold.GoldTasks, await db.GoldAnswers.CountAsync());
        var scored = await db.GoldScores.GroupBy(s => s.UserId).Select(g => new { g.Key, Count = g.Count(), Mean = g.Average(s => s.Score) }).ToListAsync();
        var people = await db.Users.ToDictionaryAsync(u => u.ExternalId, u => u.Id);
        Assert.Equal(DemoGold.GoldTasks, scored.Single(s => s.Key == people["demo:annotator1"]).Count);
        Assert.Equal(1.0, scored.Single(s => s.Key == people["demo:annotator1"]).Mean, 3);
        var holds = await db.ProjectMembers.ToDictionaryAsync(m => m.UserId);
        Assert.Equal(AnnotatorHold.Paused, holds[people["demo:annotator4"]].Hold);
        Assert.NotNull(holds[people["demo:annotator4"]].OnboardedAt);
        Assert.Equal(AnnotatorHold.OnboardingFailed, holds[people["demo:annotator5"]].Hold);
        Assert.Equal(AnnotatorHold.None, holds[people["demo:annotator1"]].Hold);
        Assert.Equal(10, await db.Projects.Select(p => p.GoldTaskRatePercent).SingleAsync());
    }

    [Fact]
    public async Task SeedAsync_ShowsLastNightsAudit_HalfDone_WithErrorsForTheHurriedAnnotator_AndAGuidelineGap()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();

        var run = await db.AuditRuns.SingleAsync();
        Assert.Equal(Portal.Core.Jobs.RunState.Succeeded, run.State);
        var outcomes = await db.AuditSamples.GroupBy(s => s.Outcome).ToDictionaryAsync(g => g.Key, g => g.Count());
        Assert.True(outcomes.GetValueOrDefault(AuditOutcome.Waiting) > 0, "The audit queue has work waiting.");
        Assert.True(outcomes.GetValueOrDefault(AuditOutcome.HasErrors) > 0);
        var people = await db.Users.ToDictionaryAsync(u => u.ExternalId, u => u.Id);
        var ben = people["demo:annotator2"];
        Assert.True(await db.AuditSamples.AnyAsync(s => s.AnnotatorId == ben && s.Outcome == AuditOutcome.HasErrors), "Ben's hurried work has errors.");
        Assert.Equal(DemoAudits.GuidelineGapNote, await db.AuditSampleErrors.Where(e => e.ErrorType == AuditErrorType.GuidelineGap).Select(e => e.Note).SingleAsync());
    }

    [Fact]
    public async Task SeedAsync_EverySpanCoversItsEntityText_AndAnnotatorsSometimesDisagree()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();

        var spans = await db.AnnotationSpans
            .Join(db.Annotations, s => s.AnnotationId, a => a.Id, (s, a) => new { s.Start, s.End, a.TaskId, a.UserId })
            .Join(db.Tasks, x => x.TaskId, t => t.Id, (x, t) => new { x.Start, x.End, x.UserId, x.TaskId, t.Text })
            .ToListAsync();

        Assert.NotEmpty(spans);
        Assert.All(spans, s =>
        {
            Assert.InRange(s.Start, 0, s.End - 1);
            Assert.InRange(s.End, s.Start + 1, s.Text.Length);
            Assert.Equal(s.Text[s.Start..s.End].Trim(), s.Text[s.Start..s.End]);
        });
        var perTask = spans.GroupBy(s => s.TaskId).Select(g => g.GroupBy(s => s.UserId).Select(u => u.Count()).Distinct().Count());
        Assert.Contains(perTask, distinctCounts => distinctCounts > 1);
    }

    [Fact]
    public async Task SeedAsync_DemonstratesEveryQualityPath()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();

        var sources = await db.GroundTruths.GroupBy(g => g.Source).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count);
        Assert.True(sources.GetValueOrDefault(GroundTruthSource.Consensus) >= 5, "Agreeing tasks get a consensus ground truth.");
        Assert.Equal(1, sources.GetValueOrDefault(GroundTruthSource.Adjudication));
        Assert.True(await db.Tasks.CountAsync(t => t.State == TaskState.Adjudication) >= 3, "Disagreements wait for adjudication.");
        Assert.True(await db.Tasks.CountAsync(t => t.State == TaskState.Open && t.SubmittedCount > 0 && t.IsAvailable) >= 3, "Some wait for an extra annotator.");
        Assert.True(await db.TaskEvents.AnyAsync(e => e.Kind == TaskEventKind.AnnotatorAdded));
        Assert.True(await db.Annotations.CountAsync(a => a.ReviewRequested && a.Status == AnnotationStatus.Submitted) >= 3, "The review queue is not empty.");
        // One review rejection and one acceptance; the label-set split sent more work back (the drift demo).
        Assert.Equal(1, await db.Reviews.CountAsync(r => r.Decision == ReviewDecision.Reject));
        Assert.Equal(1, await db.Reviews.CountAsync(r => r.Decision == ReviewDecision.Accept));
        Assert.True(await db.Annotations.CountAsync(a => a.Status == AnnotationStatus.Rejected) > 1);
    }

    [Fact]
    public void Generate_IsDeterministic_AndTextsAreDistinct()
    {
        var a = DemoTexts.Generate(300);
        var b = DemoTexts.Generate(300);
        Assert.Equal(a.Select(t => t.Text), b.Select(t => t.Text));
        Assert.Equal(300, a.Select(t => t.Text).Distinct().Count());
    }
}
