using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Audits;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Audits;
using Portal.Web.Jobs;

namespace Portal.Tests.Web.Audits;

/// <summary>Audit runs on real SQLite databases: sizing through the service, strata, determinism, idempotence, crash resume, windows, access.</summary>
public class AuditRunServiceTests
{
    private const string Night = "2026-11-21";

    [Fact]
    public async Task Run_SizesEachAnnotatorForMarginAndConfidence_WithFinitePopulationCorrection()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await AuditTestData.CreateAsync(database, tasks: 1000, annotators: 1);
        await data.SubmitAsync(database, data.Annotators[0], 1000, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);

        var run = (await database.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;

        // Cochran 4.1/4.2 at p = 0.5, e = 0.05, 95 %: n0 = 1.959964^2 * 0.25 / 0.0025 = 384.15; with N = 1000,
        // n = 384.15 / (1 + 383.15 / 1000) = 277.7, rounded up to 278.
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(1000, run.Population);
        Assert.Equal(278, run.SampleSize);
        await using var db = await database.ContextAsync();
        Assert.Equal(278, await db.AuditSamples.CountAsync(s => s.AuditRunId == run.Id));
    }

    [Fact]
    public async Task Run_HonoursAnotherMarginAndConfidence_AndTheMinimumPerStratum_AndStratifiesBySource()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await AuditTestData.CreateAsync(database, tasks: 1000, annotators: 1);
        await data.SettingsAsync(database, p => (p.AuditMarginOfError, p.AuditConfidence, p.AuditMinPerStratum) = (0.10, 0.99, 5));
        var annotator = data.Annotators[0];
        await data.SubmitAsync(database, annotator, 990, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        await data.SubmitAsync(database, annotator, 10, data.Labels[0], AnnotationSource.AcceptedSuggestion, AuditTestData.Day1);

        var run = (await database.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;

        // z(0.995) = 2.575829: n0 = 6.634897 * 0.25 / 0.01 = 165.87; n = 165.87 / (1 + 164.87 / 1000) = 142.4 -> 143.
        // Proportional: 143 * 990 / 1000 = 141.57 and 143 * 10 / 1000 = 1.43 -> 142 and 1 by largest remainder; the minimum lifts 1 to 5.
        await using var db = await database.ContextAsync();
        var bySource = await db.AuditSamples.Where(s => s.AuditRunId == run.Id).GroupBy(s => s.Source).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.N);
        Assert.Equal(142, bySource[AnnotationSource.Human]);
        Assert.Equal(5, bySource[AnnotationSource.AcceptedSuggestion]);
        Assert.Equal(147, run.SampleSize);
        var sampledSuggestions = await db.AuditSamples.Where(s => s.AuditRunId == run.Id && s.Source == AnnotationSource.AcceptedSuggestion)
            .Join(db.Annotations, s => s.AnnotationId, a => a.Id, (s, a) => a.Source).ToListAsync();
        Assert.All(sampledSuggestions, source => Assert.Equal(AnnotationSource.AcceptedSuggestion, source));
        var plan = AuditRunPlan.FromJson(run.PlanJson);
        Assert.Equal(147, plan.Annotators.Single().SampleSize);
        Assert.Contains("no earlier audit", plan.Annotators.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StratifiesByMainLabel_TheLabelWithMostSpans()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await AuditTestData.CreateAsync(database, tasks: 20, annotators: 1);
        await data.SettingsAsync(database, p => (p.AuditSizing, p.AuditRatePercent, p.AuditMinPerStratum) = (AuditSizing.Percent, 100, 0));
        await data.SubmitAsync(database, data.Annotators[0], 6, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        await data.SubmitAsync(database, data.Annotators[0], 4, data.Labels[1], AnnotationSource.Import, AuditTestData.Day1, spans: 3);
        await data.SubmitAsync(database, data.Annotators[0], 2, null, AnnotationSource.Human, AuditTestData.Day1);

        var run = (await database.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;

        await using var db = await database.ContextAsync();
        var strata = await db.AuditSamples.Where(s => s.AuditRunId == run.Id).GroupBy(s => new { s.LabelKey, s.Source }).Select(g => new { g.Key.LabelKey, g.Key.Source, N = g.Count() }).ToListAsync();
        Assert.Equal(3, strata.Count);
        Assert.Equal(6, strata.Single(s => s.LabelKey == data.Labels[0]).N);
        Assert.Equal(4, strata.Single(s => s.LabelKey == data.Labels[1] && s.Source == AnnotationSource.Import).N);
        Assert.Equal(2, strata.Single(s => s.LabelKey is null).N);
    }

    [Fact]
    public async Task SameKeyOnTwoDatabasesWithTheSameData_GivesTheSameSample_AndARerunDoesNothing()
    {
        await using var first = await TestDatabase.CreateAsync();
        var data = await SeedNightAsync(first);
        await using var second = await CopyAsync(first);

        var one = (await first.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;
        var two = (await second.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;
        var again = (await first.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;

        Assert.Equal(await StateAsync(first, one.Id), await StateAsync(second, two.Id));
        Assert.Equal(one.CompletedAt, again.CompletedAt);
        await using var db = await first.ContextAsync();
        Assert.Equal(1, await db.AuditRuns.CountAsync());
        Assert.Equal(1, await db.AuditLog.CountAsync(e => e.Action == "audit.run"));
        Assert.Equal(one.SampleSize, await db.AuditSamples.CountAsync());
    }

    [Fact]
    public async Task RunLeftRunningWithHalfItsSamples_ResumesToTheStateOfOneCleanRun()
    {
        await using var clean = await TestDatabase.CreateAsync();
        var data = await SeedNightAsync(clean);
        await using var crashed = await CopyAsync(clean);
        var expected = (await clean.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;

        var interrupted = (await crashed.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;
        await using (var db = await crashed.ContextAsync())
        {
            // The crash: the run row still Running, only the first half of its samples written.
            var half = await db.AuditSamples.OrderBy(s => s.Id).Skip(interrupted.SampleSize / 2).Select(s => s.Id).ToListAsync();
            await db.AuditSamples.Where(s => half.Contains(s.Id)).ExecuteDeleteAsync();
            await db.AuditRuns.ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunState.Running).SetProperty(r => r.CompletedAt, (DateTime?)null));
        }

        var resumed = (await crashed.Get<AuditRunService>().RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default))!;

        Assert.Equal(RunState.Succeeded, resumed.State);
        Assert.Equal(await StateAsync(clean, expected.Id), await StateAsync(crashed, resumed.Id));
    }

    [Fact]
    public async Task NextRun_StartsWhereThePreviousEnded_AndLeavesOutDraftsAndGoldTasks()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await AuditTestData.CreateAsync(database, tasks: 40, annotators: 1);
        var annotator = data.Annotators[0];
        await data.SubmitAsync(database, annotator, 5, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        await data.SubmitAsync(database, annotator, 3, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1, status: AnnotationStatus.Draft);
        await data.SubmitAsync(database, annotator, 7, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1.AddDays(1));
        await data.SubmitAsync(database, annotator, 2, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1.AddDays(1), status: AnnotationStatus.Accepted);
        await using (var db = await database.ContextAsync())
        {
            var goldTask = await db.Annotations.Where(a => a.SubmittedAt >= AuditTestData.Day1.AddDays(1)).OrderBy(a => a.Id).Select(a => a.TaskId).FirstAsync();
            await db.Tasks.Where(t => t.Id == goldTask).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsGold, true));
        }

        var runs = database.Get<AuditRunService>();
        var first = (await runs.RunAsync(data.ProjectId, "2026-11-21", AuditTrigger.Nightly, null, default))!;
        var second = (await runs.RunAsync(data.ProjectId, "2026-11-22", AuditTrigger.Nightly, null, default))!;
        var third = (await runs.RunAsync(data.ProjectId, "2026-11-23", AuditTrigger.Nightly, null, default))!;

        Assert.Equal((AuditTestData.Day1, new DateTime(2026, 11, 21, 0, 0, 0, DateTimeKind.Utc)), (first.WindowStart, first.WindowEnd));
        Assert.Equal(5, first.Population);
        Assert.Equal(first.WindowEnd, second.WindowStart);
        Assert.Equal(8, second.Population);
        Assert.Equal(second.WindowEnd, third.WindowStart);
        Assert.Equal(0, third.Population);
        Assert.Contains("nothing to audit", third.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ByAQaLead_RunsUpToThisMinute_TwiceInAMinuteIsOneRun_AndAnnotatorsAreRefused()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 14, 5, 30, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var data = await AuditTestData.CreateAsync(database, tasks: 10, annotators: 1);
        await data.SubmitAsync(database, data.Annotators[0], 10, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        var runs = database.Get<AuditRunService>();

        await Assert.ThrowsAsync<ForbiddenException>(() => runs.StartAsync(data.Annotators[0], data.ProjectId, default));
        var outcome = await runs.StartAsync(data.Lead, data.ProjectId, default);
        clock.Advance(TimeSpan.FromSeconds(20));
        var twice = await runs.StartAsync(data.Lead, data.ProjectId, default);

        Assert.Equal("on-demand-2026-11-21T14:05Z", outcome.RunKey);
        Assert.Equal(outcome, twice);
        Assert.Equal((RunState.Succeeded, 10, 10), (outcome.State, outcome.Population, outcome.SampleSize));
        await using var db = await database.ContextAsync();
        var run = await db.AuditRuns.SingleAsync();
        Assert.Equal((AuditTrigger.OnDemand, data.Lead.UserId, new DateTime(2026, 11, 21, 14, 5, 0, DateTimeKind.Utc)), (run.Trigger, run.RequestedById, run.WindowEnd));
        var log = await db.AuditLog.SingleAsync(e => e.Action == "audit.run");
        Assert.Equal((data.Lead.UserId, "audit-run", data.ProjectId), (log.UserId, log.ObjectType, log.ProjectId));
    }

    [Fact]
    public async Task AuditsOff_MakesNoRun_AndSaysSo()
    {
        await using var database = await TestDatabase.CreateAsync();
        var data = await AuditTestData.CreateAsync(database, tasks: 5, annotators: 1);
        await data.SettingsAsync(database, p => (p.AuditSizing, p.AuditRatePercent) = (AuditSizing.Percent, 0));
        await data.SubmitAsync(database, data.Annotators[0], 5, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        var runs = database.Get<AuditRunService>();

        Assert.Null(await runs.RunAsync(data.ProjectId, Night, AuditTrigger.Nightly, null, default));
        var refused = await Assert.ThrowsAsync<ValidationException>(() => runs.StartAsync(data.Lead, data.ProjectId, default));
        Assert.Equal(nameof(Project.AuditRatePercent), refused.Errors.Single().Field);
        await using var db = await database.ContextAsync();
        Assert.Empty(await db.AuditRuns.ToListAsync());
    }

    [Fact]
    public void RunKey_ThatIsNeitherANightNorAMinute_IsRefusedByName()
    {
        var refused = Assert.Throws<ValidationException>(() => RunKeys.WindowEnd("tonight"));
        Assert.Equal("RunKey", refused.Errors.Single().Field);
        Assert.Contains("tonight", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NightlyJob_RunsEveryActiveProjectWithAuditsOn_AndResumesAFailedRun()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 2, 30, 0, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var on = await AuditTestData.CreateAsync(database, tasks: 5, annotators: 1);
        await on.SubmitAsync(database, on.Annotators[0], 5, on.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        await using (var db = await database.ContextAsync())
        {
            // Projects the job must pass over: a run would leave a row even without work in them.
            db.Projects.Add(new Project { Id = Guid.CreateVersion7(), Name = "Off", CreatedById = on.Lead.UserId, AuditSizing = AuditSizing.Percent, AuditRatePercent = 0 });
            db.Projects.Add(new Project { Id = Guid.CreateVersion7(), Name = "Archived", CreatedById = on.Lead.UserId, IsArchived = true });
            await db.SaveChangesAsync();
        }

        var runs = database.Get<AuditRunService>();
        var earlier = (await runs.RunAsync(on.ProjectId, "2026-11-21", AuditTrigger.Nightly, null, default))!;
        await using (var db = await database.ContextAsync())
        {
            await db.AuditRuns.ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunState.Failed));
        }

        await new AuditNightlyJob(database.Factory, runs, clock, NullLogger<AuditNightlyJob>.Instance).RunAsync(default);

        await using var check = await database.ContextAsync();
        var all = await check.AuditRuns.OrderBy(r => r.WindowEnd).ToListAsync();
        Assert.Equal(["2026-11-21", "2026-11-22"], all.Select(r => r.RunKey));
        Assert.All(all, r => Assert.Equal((on.ProjectId, RunState.Succeeded), (r.ProjectId, r.State)));
        Assert.Equal(earlier.WindowEnd, all[1].WindowStart);
    }

    /// <summary>Three annotators over two labels and all three sources, in one window.</summary>
    private static async Task<AuditTestData> SeedNightAsync(TestDatabase database)
    {
        var data = await AuditTestData.CreateAsync(database, tasks: 400, annotators: 3);
        var sources = new[] { AnnotationSource.Human, AnnotationSource.AcceptedSuggestion, AnnotationSource.Import };
        for (var i = 0; i < 3; i++)
        {
            await data.SubmitAsync(database, data.Annotators[i], 60 + 20 * i, data.Labels[0], sources[i], AuditTestData.Day1.AddMinutes(i));
            await data.SubmitAsync(database, data.Annotators[i], 30, data.Labels[1], sources[(i + 1) % 3], AuditTestData.Day1.AddMinutes(i));
        }

        return data;
    }

    /// <summary>A second database holding exactly the first one's rows (the same ids), made by copying its file.</summary>
    private static async Task<TestDatabase> CopyAsync(TestDatabase source)
    {
        var copy = await TestDatabase.CreateAsync(migrate: false);
        SqliteConnection.ClearAllPools();
        File.Copy(source.Path, copy.Path, overwrite: true);
        return copy;
    }

    /// <summary>Everything a run decides, without its timestamps and row ids.</summary>
    private static async Task<string> StateAsync(TestDatabase database, Guid runId)
    {
        await using var db = await database.ContextAsync();
        var run = await db.AuditRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
        var samples = await db.AuditSamples.Where(s => s.AuditRunId == runId).OrderBy(s => s.AnnotationId)
            .Select(s => $"{s.AnnotationId}:{s.TaskId}:{s.AnnotatorId}:{s.LabelKey}:{s.Source}:{s.Stratum}:{s.AnnotationVersion}:{s.Outcome}").ToListAsync();
        return string.Join("\n", [$"{run.RunKey} {run.State} {run.WindowStart:O} {run.WindowEnd:O} {run.Population} {run.SampleSize} {run.Message}", run.PlanJson, .. samples]);
    }
}
