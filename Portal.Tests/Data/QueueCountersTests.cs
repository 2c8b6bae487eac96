using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Data;
using Portal.Data.Entities;
using Annotation = Portal.Data.Entities.Annotation;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Jobs;
using Portal.Web.Projects;
using static Portal.Tests.Data.TaskCountersTests;

namespace Portal.Tests.Data;

/// <summary>
/// The queue counters kept by triggers (docs/decisions/0023-queue-counters.md) give every viewer the counts the queries
/// they replaced gave, after every kind of change.
/// </summary>
public class QueueCountersTests
{
    /// <summary>The counts as they were counted before the counters, word for word: what each viewer must still see.</summary>
    private static async Task<(int ToReview, int ToAdjudicate, int ToLabel)> CountedAsync(PortalDbContext db, Guid userId, Guid projectId)
    {
        var requested = true;
        var toReview = await db.Annotations.AsNoTracking()
            .CountAsync(a => a.ProjectId == projectId && a.ReviewRequested == requested && a.Status == AnnotationStatus.Submitted && a.UserId != userId);
        var adjudication = TaskState.Adjudication;
        var toAdjudicate = await db.Tasks.AsNoTracking()
            .CountAsync(t => t.ProjectId == projectId && t.State == adjudication && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == userId));
        var toLabel = await db.Tasks.AsNoTracking().Published(db)
            .Where(t => t.ProjectId == projectId && t.State == TaskState.Open && t.IsAvailable && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == userId))
            .CountAsync();
        return (toReview, toAdjudicate, toLabel);
    }

    /// <summary>Asserts every person's counts (and a stranger's) against the old queries, and the counter rows against a recount.</summary>
    private static async Task<(int ToReview, int ToAdjudicate, int ToLabel)> AssertExactAsync(TestDatabase database, Guid projectId, Guid viewer)
    {
        await using var db = await database.ContextAsync();
        var people = await db.Users.Select(u => u.Id).ToListAsync();
        (int, int, int) seen = default;
        foreach (var userId in people.Append(Guid.NewGuid()).Append(viewer).Distinct())
        {
            var queues = (await QueueCounts.ForReviewerAsync(db, userId, [projectId], default))[projectId];
            var work = await QueueCounts.ForAnnotatorAsync(db, userId, projectId, default);
            var read = (queues.ToReview, queues.ToAdjudicate, work.ToLabel);
            Assert.Equal(await CountedAsync(db, userId, projectId), read);
            if (userId == viewer)
            {
                seen = read;
            }
        }

        var kept = (await db.KeptQueueCountersAsync(default)).Where(r => r.ProjectId == projectId).OrderBy(r => r.UserId).ToList();
        var counted = (await db.RecountQueueCountersAsync(projectId, default)).OrderBy(r => r.UserId).ToList();
        Assert.Equal(counted, kept);
        return seen;
    }

    private static async Task<Guid> ReviewEverythingAsync(TestDatabase database, Guid projectId)
    {
        await ChangeAsync(database, db => db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.ReviewPolicy, ReviewPolicy.All)));
        await using var db = await database.ContextAsync();
        return await db.TaxonomyVersions.Select(v => v.Id).FirstAsync();
    }

    private static Annotation NewAnnotation(Guid projectId, long taskId, Guid userId, Guid taxonomyVersionId, AnnotationStatus status, bool reviewRequested = false) => new()
    {
        ProjectId = projectId, TaskId = taskId, UserId = userId, TaxonomyVersionId = taxonomyVersionId, Status = status, ReviewRequested = reviewRequested,
        CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, SubmittedAt = status == AnnotationStatus.Submitted ? DateTime.UtcNow : null,
    };

    [Fact]
    public async Task EveryWayAQueueChanges_GivesEveryViewerTheCountsOfTheOldQueries()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 2, annotators: 3);
        var version = await ReviewEverythingAsync(database, projectId);
        var service = LabelingServiceTests.Service(database);
        var (a, b, c) = (people[0], people[1], people[2]);
        Assert.Equal((0, 0, 6), await AssertExactAsync(database, projectId, a.UserId));

        // Labeling: a claim, a draft (answered, for "to label"), a submit picked for review, a skip.
        var first = (await service.NextAsync(a, projectId, default))!;
        Assert.Equal((0, 0, 6), await AssertExactAsync(database, projectId, a.UserId));
        var draft = await service.SaveDraftAsync(a, projectId, first.TaskId, LabelingServiceTests.Answered(first, (21, 36)), first.Version, default);
        Assert.Equal((0, 0, 5), await AssertExactAsync(database, projectId, a.UserId));
        await service.SubmitAsync(a, projectId, first.TaskId, LabelingServiceTests.Answered(first, (21, 36)), draft, 1000, default);
        Assert.Equal((0, 0, 5), await AssertExactAsync(database, projectId, a.UserId));
        Assert.Equal((1, 0, 6), await AssertExactAsync(database, projectId, c.UserId));
        var skipped = (await service.NextAsync(b, projectId, default))!;
        await service.SkipAsync(b, projectId, skipped.TaskId, "unclear", skipped.Version, default);
        await AssertExactAsync(database, projectId, b.UserId);

        // Everyone labels until the queue is empty: tasks reach their overlap and leave the claimable set.
        foreach (var person in people)
        {
            while (await service.NextAsync(person, projectId, default) is { } item)
            {
                await service.SubmitAsync(person, projectId, item.TaskId, LabelingServiceTests.Answered(item, (21, 36)), item.Version, 1000, default);
            }
        }

        var (toReview, _, toLabel) = await AssertExactAsync(database, projectId, c.UserId);
        Assert.Equal(0, toLabel);
        Assert.True(toReview > 0);

        long[] tasks;
        await using (var db = await database.ContextAsync())
        {
            tasks = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToArrayAsync();
        }

        // Review decisions (tracked saves, as the review page makes them): an accept and a reject clear the request.
        await ChangeAsync(database, async db =>
        {
            var requested = await db.Annotations.Where(x => x.ProjectId == projectId && x.ReviewRequested).OrderBy(x => x.Id).Take(2).ToListAsync();
            (requested[0].Status, requested[0].ReviewRequested) = (AnnotationStatus.Accepted, false);
            (requested[1].Status, requested[1].ReviewRequested) = (AnnotationStatus.Rejected, false);
        });
        await AssertExactAsync(database, projectId, a.UserId);

        // Consensus sends tasks to adjudication and asks for review of all their work (a bulk update); resolving one is done.
        await ChangeAsync(database, async db => (await db.Tasks.SingleAsync(t => t.Id == tasks[0])).State = TaskState.Adjudication);
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[1] || t.Id == tasks[2]).ExecuteUpdateAsync(s => s.SetProperty(t => t.State, TaskState.Adjudication)));
        await ChangeAsync(database, db => db.Annotations.Where(x => x.TaskId == tasks[1]).ExecuteUpdateAsync(s => s.SetProperty(x => x.ReviewRequested, true)));
        await AssertExactAsync(database, projectId, a.UserId);
        await ChangeAsync(database, async db => (await db.Tasks.SingleAsync(t => t.Id == tasks[2])).State = TaskState.Done);
        await AssertExactAsync(database, projectId, a.UserId);

        // Settings raise the overlap: finished tasks reopen as claimable for those who have not answered them (bulk update).
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[4] || t.Id == tasks[5])
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, TaskState.Open).SetProperty(t => t.TargetAnnotations, 4)
                .SetProperty(t => t.IsAvailable, t => t.AssignedCount < 4)));
        var (_, _, reopened) = await AssertExactAsync(database, projectId, Guid.NewGuid());
        Assert.True(reopened > 0);

        // The task browser deletes and restores (bulk), and an adjudication task is deleted too.
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[0] || t.Id == tasks[3]).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.DeletedAt, DateTime.UtcNow).SetProperty(t => t.IsAvailable, false)));
        await AssertExactAsync(database, projectId, a.UserId);
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == tasks[3]).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.DeletedAt, (DateTime?)null).SetProperty(t => t.IsAvailable, t => t.AssignedCount < t.TargetAnnotations)));
        await AssertExactAsync(database, projectId, a.UserId);

        // An import stages tasks with annotations (a draft, a review-requested submission), then publishes them.
        var job = Import(projectId, RunState.Running);
        await ChangeAsync(database, db =>
        {
            db.DataJobs.Add(job);
            db.Tasks.AddRange(Enumerable.Range(0, 3).Select(i => new LabelingTask
            {
                ProjectId = projectId, Text = $"staged {i}", ContentHash = $"s{i}", TargetAnnotations = 2, CreatedAt = DateTime.UtcNow, ImportJobId = job.Id, IsAvailable = false,
            }));
            return Task.CompletedTask;
        });
        long[] staged;
        await using (var db = await database.ContextAsync())
        {
            staged = await db.Tasks.Where(t => t.ImportJobId == job.Id).OrderBy(t => t.Id).Select(t => t.Id).ToArrayAsync();
        }

        await ChangeAsync(database, db =>
        {
            db.Annotations.Add(NewAnnotation(projectId, staged[0], a.UserId, version, AnnotationStatus.Draft));
            db.Annotations.Add(NewAnnotation(projectId, staged[1], b.UserId, version, AnnotationStatus.Submitted, reviewRequested: true));
            return Task.CompletedTask;
        });
        await AssertExactAsync(database, projectId, a.UserId);
        await ChangeAsync(database, async db => (await db.DataJobs.SingleAsync(j => j.Id == job.Id)).State = RunState.Succeeded);
        await ChangeAsync(database, db => db.Tasks.Where(t => t.ImportJobId == job.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsAvailable, true)));
        await AssertExactAsync(database, projectId, a.UserId);

        // A failed import discards its staged tasks with their annotations (a hard delete, with the cascade).
        var failed = Import(projectId, RunState.Running);
        await ChangeAsync(database, db =>
        {
            db.DataJobs.Add(failed);
            db.Tasks.Add(new LabelingTask { ProjectId = projectId, Text = "discarded", ContentHash = "d", TargetAnnotations = 2, CreatedAt = DateTime.UtcNow, ImportJobId = failed.Id, IsAvailable = false });
            return Task.CompletedTask;
        });
        await ChangeAsync(database, async db =>
        {
            var discarded = await db.Tasks.Where(t => t.ImportJobId == failed.Id).Select(t => t.Id).SingleAsync();
            db.Annotations.Add(NewAnnotation(projectId, discarded, c.UserId, version, AnnotationStatus.Submitted, reviewRequested: true));
        });
        await ChangeAsync(database, db => db.DataJobs.Where(j => j.Id == failed.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, RunState.Failed)));
        await ChangeAsync(database, db => db.Tasks.Where(t => t.ImportJobId == failed.Id).ExecuteDeleteAsync());
        await AssertExactAsync(database, projectId, c.UserId);

        // A published task with annotations deleted outright, and an annotation deleted (tracked) and moved to another person.
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == staged[0]).ExecuteDeleteAsync());
        await AssertExactAsync(database, projectId, a.UserId);
        await ChangeAsync(database, async db => db.Annotations.Remove(await db.Annotations.FirstAsync(x => x.TaskId == staged[1])));
        await ChangeAsync(database, db => db.Annotations.Where(x => x.TaskId == tasks[1] && x.UserId == a.UserId).ExecuteUpdateAsync(s => s.SetProperty(x => x.UserId, c.UserId).SetProperty(x => x.Round, 7)));
        await AssertExactAsync(database, projectId, a.UserId);

        // A member removed: their work stays, and so do the counts.
        await ChangeAsync(database, async db => db.ProjectMembers.Remove(await db.ProjectMembers.SingleAsync(m => m.ProjectId == projectId && m.UserId == b.UserId)));
        await AssertExactAsync(database, projectId, b.UserId);

        // The succeeded import's job removed: its tasks are no longer published.
        await ChangeAsync(database, db => db.DataJobs.Where(j => j.Id == job.Id).ExecuteDeleteAsync());
        await AssertExactAsync(database, projectId, a.UserId);
    }

    [Fact]
    public async Task ConcurrentSubmits_LeaveTheCountersExact()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, annotators) = await LabelingServiceTests.ProjectAsync(database, tasks: 12, overlap: 2, annotators: 8);
        await ReviewEverythingAsync(database, projectId);

        await LabelConcurrentlyAsync(database, projectId, annotators);

        var (_, _, toLabel) = await AssertExactAsync(database, projectId, Guid.NewGuid());
        Assert.Equal(0, toLabel);
    }

    [Fact]
    public async Task TheNightlyCheck_RepairsWrongAndMissingRows_AndLeavesTheRightOnes()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (wrong, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 4, overlap: 1, annotators: 2);
        var right = Guid.CreateVersion7();
        await ChangeAsync(database, async db =>
        {
            db.Projects.Add(new Project { Id = right, Name = "Right", CreatedAt = DateTime.UtcNow, CreatedById = await db.Users.Select(u => u.Id).FirstAsync() });
            db.Tasks.AddRange(Enumerable.Range(0, 2).Select(i => new LabelingTask { ProjectId = right, Text = $"r{i}", ContentHash = $"r{i}", TargetAnnotations = 1, CreatedAt = DateTime.UtcNow }));
        });
        await ReviewEverythingAsync(database, wrong);
        var service = LabelingServiceTests.Service(database);
        var item = (await service.NextAsync(people[0], wrong, default))!;
        await service.SubmitAsync(people[0], wrong, item.TaskId, LabelingServiceTests.Answered(item, (21, 36)), item.Version, 1000, default);
        var next = (await service.NextAsync(people[1], wrong, default))!;
        await service.SaveDraftAsync(people[1], wrong, next.TaskId, LabelingServiceTests.Answered(next, (21, 36)), next.Version, default);

        await ChangeAsync(database, db => db.ProjectQueueCounters.Where(c => c.ProjectId == wrong).ExecuteUpdateAsync(s => s.SetProperty(c => c.Claimable, 99)));
        await ChangeAsync(database, db => db.ProjectUserQueueCounters.Where(c => c.ProjectId == wrong && c.UserId == people[0].UserId).ExecuteDeleteAsync());
        await ChangeAsync(database, db => db.ProjectUserQueueCounters.Where(c => c.ProjectId == wrong && c.UserId == people[1].UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Adjudication, 5)));

        var job = new QueueCounterCheckJob(database.Factory, NullLogger<QueueCounterCheckJob>.Instance);
        Assert.Equal(new[] { wrong }, await job.CheckAsync(default));
        await AssertExactAsync(database, wrong, people[0].UserId);
        await AssertExactAsync(database, right, people[0].UserId);
        Assert.Empty(await job.CheckAsync(default));
    }

    [Fact]
    public async Task TheMigration_CountsWhatIsAlreadyThere()
    {
        await using var database = await MigratedToBeforeAsync("QueueCounters");

        // Written through the model: before this migration the schema lacks only the counter tables, which nothing here writes.
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 5, overlap: 2, annotators: 2);
        await using (var db = await database.ContextAsync())
        {
            var version = await db.TaxonomyVersions.Select(v => v.Id).FirstAsync();
            var tasks = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).ToListAsync();
            tasks[0].State = TaskState.Adjudication;
            tasks[1].IsAvailable = false;
            db.Annotations.AddRange(
                NewAnnotation(projectId, tasks[0].Id, people[0].UserId, version, AnnotationStatus.Submitted, reviewRequested: true),
                NewAnnotation(projectId, tasks[2].Id, people[0].UserId, version, AnnotationStatus.Draft),
                NewAnnotation(projectId, tasks[2].Id, people[1].UserId, version, AnnotationStatus.Submitted, reviewRequested: true));
            await db.SaveChangesAsync();
        }

        await using (var db = await database.ContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        Assert.Equal((1, 0, 2), await AssertExactAsync(database, projectId, people[0].UserId));
    }

    [Fact]
    public void SqlServerTriggers_ParseWithMicrosoftsTSqlParser() =>
        AssertTSql(QueueCounterTriggers.SqlServerCreate.Concat(QueueCounterTriggers.SqlServerDrop));
}
