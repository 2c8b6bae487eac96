using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Drift;

namespace Portal.Tests.Web.Drift;

public class AgreementDropCheckTests
{
    private static readonly DateTime Now = DriftProject.Now;
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now);

    private static async Task SnapshotsAsync(TestDatabase database, Guid projectId, string measure, string key, IReadOnlyList<double?> values)
    {
        await using var db = await database.ContextAsync();
        for (var i = 0; i < values.Count; i++)
        {
            // The last value is yesterday's; a null is a night without a snapshot.
            if (values[i] is { } v)
            {
                db.AgreementSnapshots.Add(new AgreementSnapshot
                {
                    ProjectId = projectId, Day = Today.AddDays(i - values.Count), Measure = measure, Key = key, Value = v, Units = 40 + i, ComputedAt = Now.AddDays(i - values.Count),
                });
            }
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Three weeks around 0.80, then three nights at 0.55 (with one missing night in between).</summary>
    private static readonly double?[] Dip = [0.80, 0.82, 0.78, 0.81, 0.79, 0.80, 0.83, 0.77, 0.80, 0.81, null, 0.79, 0.80, 0.82, 0.78, 0.80, 0.81, 0.79, 0.80, 0.55, 0.55, 0.55];

    private static readonly double?[] Steady = [0.70, 0.72, 0.68, 0.71, 0.69, 0.70, 0.73, 0.67, 0.70, 0.71, 0.69, 0.70, 0.72, 0.68, 0.70, 0.71, 0.69, 0.70, 0.71, 0.69, 0.70, 0.70];

    private static async Task<DriftProject> DippedAsync(TestDatabase database)
    {
        var project = await DriftProject.CreateAsync(database, tasks: 4, annotators: 1);
        await SnapshotsAsync(database, project.ProjectId, AgreementDropCheck.SpanMeasure, "control:entities", Dip);
        await SnapshotsAsync(database, project.ProjectId, AgreementDropCheck.ChoiceMeasure, "control:intent", Steady);
        // A pair's figure and a secondary measure dip too, but only the control's headline figure is watched.
        await SnapshotsAsync(database, project.ProjectId, AgreementDropCheck.SpanMeasure, "control:entities|pair:a|b", Dip);
        await SnapshotsAsync(database, project.ProjectId, "spanF1Overlap", "control:entities", Dip);
        // Recently done tasks: two below the project's bar (0.8), one above, one done before the window.
        double[] agreements = [0.3, 0.5, 0.9, 0.1];
        await using (var db = await database.ContextAsync())
        {
            foreach (var (task, agreement) in project.Tasks.Zip(agreements))
            {
                (await db.Tasks.FindAsync(task))!.Agreement = agreement;
            }

            await db.SaveChangesAsync();
        }

        await project.AddWorkAsync(database, project.People[0].UserId, project.Tasks.Select((t, i) => (t, Now.AddDays(i == 3 ? -20 : -1 - i), "intent", project.Labels["intent"][0])));
        return project;
    }

    [Fact]
    public async Task Dip_BelowTheLowerLimit_IsAFinding_WithTheWholeSeries_AndTheLeastAgreedTasks()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await DippedAsync(database);

        var drafts = await DriftProject.Check<AgreementDropCheck>(database).RunAsync(project.Context(), default);

        var finding = Assert.Single(drafts);
        Assert.Equal(DriftLimits.Measure("spanF1Exact", "control:entities"), finding.Subject);
        var evidence = Assert.IsType<AgreementTrendEvidence>(finding.Evidence);
        Assert.Equal(22, evidence.Points.Count);
        Assert.Equal(Today.AddDays(-1), evidence.Points[^1].Day);
        Assert.Null(evidence.Points[10].Value);
        Assert.Null(evidence.Points[10].Smoothed);
        Assert.Equal(0.55, evidence.Points[^1].Value);
        Assert.True(evidence.Latest < evidence.LowerLimit);
        // 21 nights with a figure: the first 10 make the baseline.
        Assert.Contains("from the first 10 days", evidence.Method, StringComparison.Ordinal);
        Assert.Equal(0.80, evidence.Center, 0.005);
        Assert.Equal("entities: exact span F1", evidence.Slice);
        Assert.Equal(DriftSeverity.High, finding.Severity);
        Assert.Equal(2, finding.AffectedCount);
        Assert.Equal([project.Tasks[0], project.Tasks[1]], finding.Items.Select(i => i.TaskId));
        Assert.StartsWith("Agreement 0.30 on this task", finding.Items[0].Detail, StringComparison.Ordinal);
        Assert.All(finding.Items, i => Assert.Null(i.AnnotationId));
        Assert.StartsWith("Agreement on entities (exact span F1) fell to 0.55", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("2 tasks done in the last 7 days have agreement below 0.80", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rerun_GivesTheSameDrafts_AndIgnoresTheNightsSnapshot()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await DippedAsync(database);
        var check = DriftProject.Check<AgreementDropCheck>(database);
        var first = DriftProject.Json(await check.RunAsync(project.Context(), default));
        await using (var db = await database.ContextAsync())
        {
            db.AgreementSnapshots.Add(new AgreementSnapshot { ProjectId = project.ProjectId, Day = Today, Measure = "spanF1Exact", Key = "control:entities", Value = 0.95, Units = 1, ComputedAt = Now.AddHours(1) });
            await db.SaveChangesAsync();
        }

        var second = DriftProject.Json(await check.RunAsync(project.Context(), default));

        Assert.Equal(first, second);
        Assert.Contains("spanF1Exact", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooFewNights_GiveNoFinding()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await DriftProject.CreateAsync(database, tasks: 1, annotators: 1);
        await SnapshotsAsync(database, project.ProjectId, AgreementDropCheck.SpanMeasure, "control:entities", [0.80, 0.81, 0.79, 0.80, 0.82, 0.78, 0.20]);

        Assert.Empty(await DriftProject.Check<AgreementDropCheck>(database).RunAsync(project.Context(), default));

        await SnapshotsAsync(database, project.ProjectId, AgreementDropCheck.ChoiceMeasure, "control:intent", [0.80, 0.81, 0.79, 0.80, 0.82, 0.78, 0.80, 0.20]);
        Assert.Equal([DriftLimits.Measure("krippendorffAlpha", "control:intent")],
            (await DriftProject.Check<AgreementDropCheck>(database).RunAsync(project.Context(), default)).Select(d => d.Subject));
    }

    [Fact]
    public async Task SteadySeries_IsNoFinding()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await DriftProject.CreateAsync(database, tasks: 1, annotators: 1);
        await SnapshotsAsync(database, project.ProjectId, AgreementDropCheck.ChoiceMeasure, "control:intent", Steady);

        Assert.Empty(await DriftProject.Check<AgreementDropCheck>(database).RunAsync(project.Context(), default));
        await using var db = await database.ContextAsync();
        Assert.Equal(22, await db.AgreementSnapshots.CountAsync());
    }
}
