using Portal.Core.Drift;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Drift;

namespace Portal.Tests.Web.Drift;

public class GoldDropCheckTests
{
    private static readonly DateTime Now = DriftProject.Now;

    /// <summary>
    /// Gold tasks 0..29, ordinary tasks 30..: A0 scores 0.85/0.95 on 20 gold tasks, then 0.45/0.55 on the last 10
    /// (from 10 days ago) and labels ordinary tasks before and after; A1 scores 0.85/0.95 on all 30.
    /// </summary>
    private static async Task<(DriftProject Project, List<long> Since)> DroppedAsync(TestDatabase database, int recentScores = 10)
    {
        var project = await DriftProject.CreateAsync(database, tasks: 60, annotators: 2);
        var gold = project.Tasks.Take(30).ToList();
        await using (var db = await database.ContextAsync())
        {
            foreach (var id in gold)
            {
                (await db.Tasks.FindAsync(id))!.IsGold = true;
            }

            await db.SaveChangesAsync();
        }

        var label = project.Labels["intent"][0];
        var times = Enumerable.Range(0, 30).Select(i => i < 20 ? Now.AddDays(-60 + i) : Now.AddDays(-10 + (i - 20) / 2.0)).ToList();
        foreach (var (person, drops) in new[] { (project.People[0], true), (project.People[1], false) })
        {
            var count = drops ? 20 + recentScores : 30;
            var ids = await project.AddWorkAsync(database, person.UserId, gold.Take(count).Select((t, i) => (t, times[i], "intent", label)));
            await using var db = await database.ContextAsync();
            db.GoldScores.AddRange(ids.Select((id, i) => new GoldScoreEntry
            {
                AnnotationId = id, TaskId = gold[i], ProjectId = project.ProjectId, UserId = person.UserId, PerLabelJson = "{}", ScoredAt = times[i],
                Score = (drops && i >= 20 ? 0.5 : 0.9) + (i % 2 == 0 ? -0.05 : 0.05),
            }));
            await db.SaveChangesAsync();
        }

        // A0's ordinary work: 5 before the drop began, 12 after it (the newest an hour before the night).
        var before = await project.AddWorkAsync(database, project.People[0].UserId, project.Tasks.Skip(30).Take(5).Select((t, i) => (t, Now.AddDays(-30 - i), "intent", label)));
        var since = await project.AddWorkAsync(database, project.People[0].UserId, project.Tasks.Skip(35).Take(12).Select((t, i) => (t, Now.AddHours(-1 - 12 * i), "intent", label)));
        Assert.Equal(5, before.Count);
        return (project, since);
    }

    [Fact]
    public async Task FallingAnnotator_IsAFinding_WithTheWorkSinceTheDropNewestFirst()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (project, since) = await DroppedAsync(database);

        var drafts = await DriftProject.Check<GoldDropCheck>(database).RunAsync(project.Context(), default);

        var finding = Assert.Single(drafts);
        Assert.Equal(DriftLimits.Annotator(project.People[0].UserId), finding.Subject);
        var evidence = Assert.IsType<GoldTrendEvidence>(finding.Evidence);
        Assert.Equal(0.5, evidence.Recent, 1e-12);
        Assert.Equal(0.9, evidence.OwnBaseline, 1e-12);
        Assert.Equal((20 * 0.9 + 10 * 0.5 + 30 * 0.9) / 60, evidence.ProjectMean, 1e-12);
        Assert.Equal(0.4, evidence.Drop, 1e-12);
        Assert.Equal((10, 20), (evidence.RecentItems, evidence.BaselineItems));
        Assert.Equal(30, evidence.Points.Count);
        Assert.Equal(0.9, evidence.Points[19].Rolling, 1e-12);
        Assert.Equal(0.5, evidence.Points[^1].Rolling, 1e-12);
        Assert.True(evidence.PValue < 1e-6);
        Assert.Equal(DriftSeverity.High, finding.Severity);
        Assert.Equal(12, finding.AffectedCount);
        Assert.Equal(since, finding.Items.Select(i => i.AnnotationId!.Value));
        Assert.StartsWith("A0's gold score fell to 50% over the last 10 gold tasks, from 90% before (20 scores; p < 0.001)", finding.Summary, StringComparison.Ordinal);
        Assert.EndsWith("12 items labeled since the drop began.", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rerun_GivesTheSameDrafts_AndIgnoresScoresAfterTheNight()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (project, _) = await DroppedAsync(database);
        var check = DriftProject.Check<GoldDropCheck>(database);
        var first = DriftProject.Json(await check.RunAsync(project.Context(), default));
        var late = await project.AddWorkAsync(database, project.People[0].UserId, project.Tasks.Skip(50).Take(3).Select(t => (t, Now.AddHours(2), "intent", project.Labels["intent"][0])));
        await using (var db = await database.ContextAsync())
        {
            db.GoldScores.AddRange(late.Zip(project.Tasks.Skip(50)).Select(x => new GoldScoreEntry
            {
                AnnotationId = x.First, TaskId = x.Second, ProjectId = project.ProjectId, UserId = project.People[0].UserId, PerLabelJson = "{}", ScoredAt = Now.AddHours(2), Score = 1,
            }));
            await db.SaveChangesAsync();
        }

        var second = DriftProject.Json(await check.RunAsync(project.Context(), default));

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task TooFewRecentScores_OrASmallerDropThanTheSetting_GiveNone()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (project, _) = await DroppedAsync(database, recentScores: 9);

        // A0 has 29 scores: with a window of 15 there are not 15 earlier ones.
        Assert.Empty(await DriftProject.Check<GoldDropCheck>(database).RunAsync(project.Context(new DriftSettings { ProjectId = project.ProjectId, GoldWindow = 15 }), default));
        Assert.Empty(await DriftProject.Check<GoldDropCheck>(database).RunAsync(project.Context(new DriftSettings { ProjectId = project.ProjectId, GoldDrop = 0.45 }), default));
        Assert.Single(await DriftProject.Check<GoldDropCheck>(database).RunAsync(project.Context(), default));
    }
}
