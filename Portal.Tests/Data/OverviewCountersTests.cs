using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Jobs;
using Portal.Web.Projects;
using static Portal.Tests.Data.TaskCountersTests;
using DayCount = Portal.Web.Projects.DayCount;

namespace Portal.Tests.Data;

/// <summary>
/// The Overview's counters kept by triggers (docs/decisions/0025-overview-counters.md) give the Overview the figures the
/// queries they replaced gave, after every kind of change.
/// </summary>
public class OverviewCountersTests
{
    private static readonly PortalPrincipal Admin = new(Guid.NewGuid(), "Admin", new HashSet<string> { AppRoles.Admin });

    /// <summary>The Overview's figures as they were counted before the counters, word for word.</summary>
    private static async Task<(OverlapBucket[] ByOverlap, int InProgress, DayCount[] Throughput)> CountedAsync(PortalDbContext db, Guid projectId)
    {
        var published = db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId).Published(db);
        var byOverlap = await published.GroupBy(t => t.SubmittedCount).Select(g => new OverlapBucket(g.Key, g.Count())).ToListAsync();
        var answered = published.Where(t => t.SubmittedCount > 0);
        var inProgress = await answered.CountAsync() - await answered.Where(TaskQueries.IsComplete).CountAsync();

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var from = today.AddDays(1 - ProjectOverviewService.ThroughputDays).ToDateTime(TimeOnly.MinValue);
        var skipped = AnnotationStatus.Skipped;
        var perDay = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.SubmittedAt != null && a.SubmittedAt >= from && a.Status != skipped)
            .GroupBy(a => a.SubmittedAt!.Value.Date)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => DateOnly.FromDateTime(x.Key), x => x.Count);
        var throughput = Enumerable.Range(0, ProjectOverviewService.ThroughputDays).Select(i => today.AddDays(i + 1 - ProjectOverviewService.ThroughputDays))
            .Select(d => new DayCount(d, perDay.GetValueOrDefault(d)));
        return ([.. byOverlap.OrderBy(b => b.Annotations)], inProgress, [.. throughput]);
    }

    /// <summary>Asserts the Overview against the old queries, and the counter rows against a recount; returns the Overview.</summary>
    private static async Task<ProjectOverview> AssertExactAsync(TestDatabase database, Guid projectId)
    {
        var overview = await database.Get<ProjectOverviewService>().GetAsync(Admin, projectId, default);
        await using var db = await database.ContextAsync();
        var (byOverlap, inProgress, throughput) = await CountedAsync(db, projectId);
        Assert.Equal(byOverlap, overview.ByOverlap);
        Assert.Equal(inProgress, overview.InProgress);
        Assert.Equal(throughput, overview.Throughput);
        Assert.Equal(overview.Total, overview.Done + overview.InProgress + overview.ToDo);

        Assert.Equal((await db.RecountOverlapAsync(projectId, default)).OrderBy(r => r.Submitted), (await db.OverlapAsync(projectId, default)).OrderBy(r => r.Submitted));
        Assert.Equal((await db.RecountDaysAsync(projectId, null, default)).OrderBy(r => r.Day), (await db.DaysAsync(projectId, null, default)).OrderBy(r => r.Day));
        return overview;
    }

    private static async Task<long[]> TaskIdsAsync(TestDatabase database, Guid projectId)
    {
        await using var db = await database.ContextAsync();
        return await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToArrayAsync();
    }

    [Fact]
    public async Task EveryWayATaskOrAnAnnotationChanges_GivesTheOverviewTheFiguresOfTheOldQueries()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 2, annotators: 3);
        var service = LabelingServiceTests.Service(database);
        var (a, b, c) = (people[0], people[1], people[2]);
        var tasks = await TaskIdsAsync(database, projectId);
        Assert.Equal(new[] { new OverlapBucket(0, 6) }, (await AssertExactAsync(database, projectId)).ByOverlap);

        // Labeling: a draft (not counted), its submit, a skip, a second submit that completes the task.
        var first = (await service.NextAsync(a, projectId, default))!;
        var draft = await service.SaveDraftAsync(a, projectId, first.TaskId, LabelingServiceTests.Answered(first, (21, 36)), first.Version, default);
        Assert.Equal(0, (await AssertExactAsync(database, projectId)).SubmittedInWindow);
        await service.SubmitAsync(a, projectId, first.TaskId, LabelingServiceTests.Answered(first, (21, 36)), draft, 1000, default);
        Assert.Equal(1, (await AssertExactAsync(database, projectId)).SubmittedInWindow);
        var skipped = (await service.NextAsync(b, projectId, default))!;
        await service.SkipAsync(b, projectId, skipped.TaskId, "unclear", skipped.Version, default);
        await AssertExactAsync(database, projectId);
        foreach (var person in people)
        {
            while (await service.NextAsync(person, projectId, default) is { } item)
            {
                await service.SubmitAsync(person, projectId, item.TaskId, LabelingServiceTests.Answered(item, (21, 36)), item.Version, 1000, default);
            }
        }

        var labeled = await AssertExactAsync(database, projectId);
        Assert.Contains(labeled.ByOverlap, bucket => bucket.Annotations == 2);

        // Work submitted days ago (a bulk update, as the demo's history writes it), then resubmitted today: it moves to today.
        var threeDaysAgo = DateTime.UtcNow.AddDays(-3);
        await ChangeAsync(database, db => db.Annotations.Where(x => x.ProjectId == projectId && x.UserId == a.UserId && x.SubmittedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.SubmittedAt, threeDaysAgo)));
        var lastWeek = await AssertExactAsync(database, projectId);
        Assert.True(lastWeek.Throughput[^4].Count > 0);
        var reopened = await service.OpenAsync(a, projectId, first.TaskId, default);
        await service.SubmitAsync(a, projectId, first.TaskId, LabelingServiceTests.Answered(reopened, (12, 17)), reopened.Version, 1000, default);
        Assert.Equal(lastWeek.Throughput[^1].Count + 1, (await AssertExactAsync(database, projectId)).Throughput[^1].Count);

        // Review decisions (tracked saves): a reject still counts its submit, an accept too.
        await ChangeAsync(database, async db =>
        {
            var submitted = await db.Annotations.Where(x => x.ProjectId == projectId && x.Status == AnnotationStatus.Submitted).OrderBy(x => x.Id).Take(2).ToListAsync();
            submitted[0].Status = AnnotationStatus.Accepted;
            submitted[1].Status = AnnotationStatus.Rejected;
        });
        await AssertExactAsync(database, projectId);

        // Bulk state changes (consensus, adjudication), a gold flag, and settings raising the overlap.
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[0] || t.Id == tasks[1]).ExecuteUpdateAsync(s => s.SetProperty(t => t.State, TaskState.Adjudication)));
        await ChangeAsync(database, async db => (await db.Tasks.SingleAsync(t => t.Id == tasks[2])).State = TaskState.Done);
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[3]).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsGold, true)));
        await AssertExactAsync(database, projectId);
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[4] || t.Id == tasks[5])
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, TaskState.Open).SetProperty(t => t.TargetAnnotations, 4)
                .SetProperty(t => t.IsAvailable, t => t.AssignedCount < 4)));
        Assert.True((await AssertExactAsync(database, projectId)).InProgress >= 2);

        // The task browser deletes and restores (bulk); an annotation deleted (tracked).
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[0] || t.Id == tasks[4]).ExecuteUpdateAsync(s => s.SetProperty(t => t.DeletedAt, DateTime.UtcNow)));
        await AssertExactAsync(database, projectId);
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[4]).ExecuteUpdateAsync(s => s.SetProperty(t => t.DeletedAt, (DateTime?)null)));
        await ChangeAsync(database, async db => db.Annotations.Remove(await db.Annotations.FirstAsync(x => x.TaskId == tasks[5])));
        await AssertExactAsync(database, projectId);

        // An import stages tasks with a submitted annotation (not counted until published), then publishes them.
        var version = await FirstVersionAsync(database);
        var job = Import(projectId, RunState.Running);
        await ChangeAsync(database, db =>
        {
            db.DataJobs.Add(job);
            db.Tasks.AddRange(Enumerable.Range(0, 3).Select(i => new LabelingTask
            {
                ProjectId = projectId, Text = $"staged {i}", ContentHash = $"s{i}", TargetAnnotations = 2, CreatedAt = DateTime.UtcNow, ImportJobId = job.Id,
                SubmittedCount = i == 0 ? 1 : 0,
            }));
            return Task.CompletedTask;
        });
        var staged = await TaskIdsAsync(database, projectId);
        await ChangeAsync(database, db =>
        {
            db.Annotations.Add(Submitted(projectId, staged[^3], c.UserId, version));
            return Task.CompletedTask;
        });
        await AssertExactAsync(database, projectId);
        await ChangeAsync(database, async db => (await db.DataJobs.SingleAsync(j => j.Id == job.Id)).State = RunState.Succeeded);
        await AssertExactAsync(database, projectId);

        // A failed import discards its staged tasks with their annotations (a hard delete, with the cascade).
        var failed = Import(projectId, RunState.Running);
        await ChangeAsync(database, db =>
        {
            db.DataJobs.Add(failed);
            db.Tasks.Add(new LabelingTask { ProjectId = projectId, Text = "discarded", ContentHash = "d", TargetAnnotations = 2, SubmittedCount = 1, CreatedAt = DateTime.UtcNow, ImportJobId = failed.Id });
            return Task.CompletedTask;
        });
        await ChangeAsync(database, async db => db.Annotations.Add(Submitted(projectId, await db.Tasks.Where(t => t.ImportJobId == failed.Id).Select(t => t.Id).SingleAsync(), c.UserId, version)));
        await ChangeAsync(database, db => db.DataJobs.Where(j => j.Id == failed.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, RunState.Failed)));
        await ChangeAsync(database, db => db.Tasks.Where(t => t.ImportJobId == failed.Id).ExecuteDeleteAsync());
        await AssertExactAsync(database, projectId);

        // A published task with annotations deleted outright, and the succeeded job's row removed (its tasks unpublished).
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[1]).ExecuteDeleteAsync());
        await ChangeAsync(database, db => db.DataJobs.Where(j => j.Id == job.Id).ExecuteDeleteAsync());
        await AssertExactAsync(database, projectId);
    }

    private static async Task<Guid> FirstVersionAsync(TestDatabase database)
    {
        await using var db = await database.ContextAsync();
        return await db.TaxonomyVersions.Select(v => v.Id).FirstAsync();
    }

    private static Annotation Submitted(Guid projectId, long taskId, Guid userId, Guid taxonomyVersionId) => new()
    {
        ProjectId = projectId, TaskId = taskId, UserId = userId, TaxonomyVersionId = taxonomyVersionId, Status = AnnotationStatus.Submitted,
        CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, SubmittedAt = DateTime.UtcNow,
    };

    [Fact]
    public async Task ConcurrentSubmits_LeaveTheCountersExact()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, annotators) = await LabelingServiceTests.ProjectAsync(database, tasks: 12, overlap: 2, annotators: 8);

        await LabelConcurrentlyAsync(database, projectId, annotators);

        var overview = await AssertExactAsync(database, projectId);
        Assert.Equal(new[] { new OverlapBucket(2, 12) }, overview.ByOverlap);
        Assert.Equal(24, overview.SubmittedInWindow);
    }

    [Fact]
    public async Task TheNightlyCheck_RepairsWrongAndMissingRows_AndLeavesTheRightOnes()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (wrong, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 4, overlap: 1, annotators: 1);
        var right = await PlainProjectAsync(database, tasks: 2);
        var service = LabelingServiceTests.Service(database);
        var item = (await service.NextAsync(people[0], wrong, default))!;
        await service.SubmitAsync(people[0], wrong, item.TaskId, LabelingServiceTests.Answered(item, (21, 36)), item.Version, 1000, default);

        await ChangeAsync(database, db => db.ProjectOverlapCounters.Where(c => c.ProjectId == wrong && c.Submitted == 0).ExecuteUpdateAsync(s => s.SetProperty(c => c.Tasks, 99)));
        await ChangeAsync(database, db => db.ProjectOverlapCounters.Where(c => c.ProjectId == wrong && c.Submitted == 1).ExecuteDeleteAsync());
        await ChangeAsync(database, db => db.ProjectDayCounters.Where(c => c.ProjectId == wrong).ExecuteDeleteAsync());

        var job = new TaskCounterCheckJob(database.Factory, NullLogger<TaskCounterCheckJob>.Instance);
        Assert.Equal(new[] { wrong }, await job.CheckAsync(default));

        var overview = await AssertExactAsync(database, wrong);
        Assert.Equal(new[] { new OverlapBucket(0, 3), new OverlapBucket(1, 1) }, overview.ByOverlap);
        Assert.Equal(1, overview.SubmittedInWindow);
        await AssertExactAsync(database, right);
        Assert.Empty(await job.CheckAsync(default));
    }

    [Fact]
    public async Task TheMigration_CountsTheTasksAndSubmitsAlreadyThere()
    {
        await using var database = await MigratedToBeforeAsync("OverviewCounters");
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 5, overlap: 2, annotators: 2);
        var service = LabelingServiceTests.Service(database);
        foreach (var person in people)
        {
            var item = (await service.NextAsync(person, projectId, default))!;
            await service.SubmitAsync(person, projectId, item.TaskId, LabelingServiceTests.Answered(item, (21, 36)), item.Version, 1000, default);
        }

        var skip = (await service.NextAsync(people[0], projectId, default))!;
        await service.SkipAsync(people[0], projectId, skip.TaskId, "unclear", skip.Version, default);

        await using (var db = await database.ContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        var overview = await AssertExactAsync(database, projectId);
        Assert.Equal(2, overview.SubmittedInWindow);
        Assert.Equal(5, overview.ByOverlap.Sum(b => b.Tasks));
    }

    [Fact]
    public void SqlServerTriggers_ParseWithMicrosoftsTSqlParser() =>
        AssertTSql(OverviewCounterTriggers.SqlServerCreate.Concat(OverviewCounterTriggers.SqlServerDrop));
}
