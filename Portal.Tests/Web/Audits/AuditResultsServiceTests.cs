using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Audits;

namespace Portal.Tests.Web.Audits;

/// <summary>
/// Results against hand-computed Wilson score intervals (Wilson 1927; the formula as in Newcombe, Statistics in Medicine 17, 1998,
/// method 3): 3 errors in 20 items at 95 % is 0.0524 to 0.3604; 1 in 10 is 0.0179 to 0.4042; 4 in 30 is 0.0531 to 0.2968.
/// </summary>
public class AuditResultsServiceTests
{
    [Fact]
    public async Task Results_GiveErrorRatesWithWilsonIntervals_PerAnnotatorLabelAndErrorType_AndGuidelineGapsPerLabel()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await SeedReviewedAsync(database);

        var results = await database.Get<AuditResultsService>().GetAsync(data.Lead, data.ProjectId, default);

        Assert.Equal(Proportions.WilsonName, results.Method);
        var a0 = results.Annotators.Single(a => a.Name == "A0");
        Assert.Equal((20, 3), (a0.Reviewed, a0.WithErrors));
        Assert.Equal(0.052369, a0.Interval.Low, 1e-6);
        Assert.Equal(0.360419, a0.Interval.High, 1e-6);
        var a1 = results.Annotators.Single(a => a.Name == "A1");
        Assert.Equal((10, 1), (a1.Reviewed, a1.WithErrors));
        Assert.Equal(0.017876, a1.Interval.Low, 1e-6);
        Assert.Equal(0.404150, a1.Interval.High, 1e-6);

        var person = results.Labels.Single(l => l.Name == "Person");
        Assert.Equal((30, 4), (person.Reviewed, person.WithErrors));
        Assert.Equal(0.053097, person.Interval.Low, 1e-6);
        Assert.Equal(0.296813, person.Interval.High, 1e-6);

        var boundary = results.ErrorTypes.Single(t => t.Type == AuditErrorType.Boundary);
        Assert.Equal((3, 3, 30), (boundary.Errors, boundary.Items.Successes, boundary.Items.Trials));
        var gap = results.ErrorTypes.Single(t => t.Type == AuditErrorType.GuidelineGap);
        Assert.Equal((2, 1), (gap.Errors, gap.Items.Successes));
        var gaps = Assert.Single(results.GuidelineGaps);
        Assert.Equal("Person", gaps.Label);
        Assert.Equal(["Is a nickname a person?", "Titles: part of the name?"], gaps.Notes.Select(n => n.Note).Order(StringComparer.Ordinal));

        var run = Assert.Single(results.Runs);
        Assert.Equal((30, 10), (run.Reviewed, run.Waiting));
        Assert.Equal(10, results.Waiting);
        Assert.Equal(2, results.Trend.Count);
        Assert.Contains(run.Plan, p => p.Annotator == "A0" && p.Reason.Length > 0);
    }

    [Fact]
    public async Task AnonymousProject_ShowsLettersInsteadOfNames_AndAnnotatorsAreRefused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await SeedReviewedAsync(database);
        await data.SettingsAsync(database, p => p.AnonymousAdjudication = true);
        var service = database.Get<AuditResultsService>();

        var results = await service.GetAsync(data.Lead, data.ProjectId, default);

        Assert.Equal(["Annotator A", "Annotator B"], results.Annotators.Select(a => a.Name));
        Assert.DoesNotContain(results.Runs.Single().Plan, p => p.Annotator.StartsWith("A0", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.GetAsync(data.Annotators[0], data.ProjectId, default));
    }

    [Fact]
    public async Task History_IsEachAnnotatorsLatestReviewedRun_AndSizesTheirNextSample()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await SeedReviewedAsync(database);
        await using var db = await database.ContextAsync();

        var history = await AuditResultsService.HistoryAsync(db, data.ProjectId, 0.95, default);

        Assert.Equal(0.15, history[data.Annotators[0].UserId].Estimate, 1e-12);
        Assert.Equal((0.360419 - 0.052369) / 2, history[data.Annotators[0].UserId].HalfWidth, 1e-6);
        Assert.Equal(0.1, history[data.Annotators[1].UserId].Estimate, 1e-12);
    }

    /// <summary>
    /// A0 and A1 each submit 20 items labelled Person; all are sampled. A0: 20 reviewed, 3 with errors (boundary; one also two
    /// guideline gaps). A1: 10 reviewed, 1 with an error (wrong label), 10 waiting.
    /// </summary>
    private static async Task<AuditTestData> SeedReviewedAsync(TestDatabase database)
    {
        var data = await AuditTestData.CreateAsync(database, tasks: 40, annotators: 2);
        await data.SettingsAsync(database, p => (p.AuditSizing, p.AuditRatePercent) = (AuditSizing.Percent, 100));
        await data.SubmitAsync(database, data.Annotators[0], 20, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        await data.SubmitAsync(database, data.Annotators[1], 20, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        await database.Get<AuditRunService>().RunAsync(data.ProjectId, "2026-11-21", AuditTrigger.Nightly, null, default);

        await using var db = await database.ContextAsync();
        var samples = await db.AuditSamples.OrderBy(s => s.AnnotationId).ToListAsync();
        var first = samples.Where(s => s.AnnotatorId == data.Annotators[0].UserId).ToList();
        var second = samples.Where(s => s.AnnotatorId == data.Annotators[1].UserId).ToList();
        foreach (var (sample, i) in first.Select((s, i) => (s, i)))
        {
            Review(sample, i < 3, data.Lead.UserId);
            if (i < 3)
            {
                sample.Errors.Add(new AuditSampleError { ProjectId = data.ProjectId, ErrorType = AuditErrorType.Boundary, ControlName = "entities", LabelKey = data.Labels[0], Start = 0, End = 2 });
            }
        }

        first[0].Errors.Add(new AuditSampleError { ProjectId = data.ProjectId, ErrorType = AuditErrorType.GuidelineGap, LabelKey = data.Labels[0], Note = "Titles: part of the name?" });
        first[0].Errors.Add(new AuditSampleError { ProjectId = data.ProjectId, ErrorType = AuditErrorType.GuidelineGap, LabelKey = data.Labels[0], Note = "Is a nickname a person?" });
        foreach (var (sample, i) in second.Take(10).Select((s, i) => (s, i)))
        {
            Review(sample, i == 0, data.Lead.UserId);
            if (i == 0)
            {
                sample.Errors.Add(new AuditSampleError { ProjectId = data.ProjectId, ErrorType = AuditErrorType.WrongLabel, LabelKey = data.Labels[0], Start = 0, End = 2 });
            }
        }

        await db.SaveChangesAsync();
        return data;
    }

    private static void Review(AuditSample sample, bool hasErrors, Guid reviewer)
    {
        sample.Outcome = hasErrors ? AuditOutcome.HasErrors : AuditOutcome.Correct;
        sample.ReviewerId = reviewer;
        sample.ReviewedAt = AuditTestData.Day1.AddDays(1);
    }
}
