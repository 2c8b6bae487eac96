using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Jobs;

namespace Portal.Tests.Data;

/// <summary>The task counters kept by triggers (docs/decisions/0019-task-counters.md) equal a recount after every kind of change.</summary>
public class TaskCountersTests
{
    private static async Task<TaskProgress> CountersAsync(TestDatabase database, Guid projectId)
    {
        await using var db = await database.ContextAsync();
        var kept = (await db.ProgressAsync([projectId], default)).GetValueOrDefault(projectId);
        var counted = (await db.RecountProgressAsync(default)).GetValueOrDefault(projectId);
        Assert.Equal(counted, kept);
        return kept;
    }

    internal static async Task ChangeAsync(TestDatabase database, Func<PortalDbContext, Task> change)
    {
        await using var db = await database.ContextAsync();
        await change(db);
        await db.SaveChangesAsync();
    }

    internal static DataJob Import(Guid projectId, RunState state) => new()
    {
        Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Import, Format = "jsonl", State = state,
        IdempotencyKey = Guid.NewGuid().ToString(), CreatedAt = DateTime.UtcNow,
    };

    /// <summary>Every person labels until the queue has nothing more for them, all at once: concurrent submits.</summary>
    internal static Task LabelConcurrentlyAsync(TestDatabase database, Guid projectId, IEnumerable<PortalPrincipal> people)
    {
        var service = LabelingServiceTests.Service(database);
        return Task.WhenAll(people.Select(person => Task.Run(async () =>
        {
            while (await service.NextAsync(person, projectId, default) is { } item)
            {
                await service.SubmitAsync(person, projectId, item.TaskId, LabelingServiceTests.Answered(item, (21, 36)), item.Version, 1000, default);
            }
        })));
    }

    private static LabelingTask NewTask(Guid projectId, string text, Guid? job = null) =>
        new() { ProjectId = projectId, Text = text, ContentHash = text, TargetAnnotations = 2, CreatedAt = DateTime.UtcNow, ImportJobId = job };

    internal static async Task<Guid> PlainProjectAsync(TestDatabase database, int tasks)
    {
        await using var db = await database.ContextAsync();
        var owner = new User { Id = Guid.CreateVersion7(), ExternalId = Guid.NewGuid().ToString(), Email = "o@x", DisplayName = "O", CreatedAt = DateTime.UtcNow };
        var project = new Project { Id = Guid.CreateVersion7(), Name = $"P{Guid.NewGuid():N}", CreatedAt = DateTime.UtcNow, CreatedById = owner.Id };
        db.AddRange(owner, project);
        db.Tasks.AddRange(Enumerable.Range(0, tasks).Select(i => NewTask(project.Id, $"t{i}")));
        await db.SaveChangesAsync();
        return project.Id;
    }

    [Fact]
    public async Task EveryWayATaskChanges_KeepsTheCountersEqualToARecount()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 2, annotators: 0);
        long[] ids;
        await using (var db = await database.ContextAsync())
        {
            ids = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToArrayAsync();
        }

        Assert.Equal(new TaskProgress(6, 0), await CountersAsync(database, projectId));

        // A tracked save: the second submission reaches the overlap.
        await ChangeAsync(database, async db => (await db.Tasks.SingleAsync(t => t.Id == ids[0])).SubmittedCount = 2);
        Assert.Equal(new TaskProgress(6, 1), await CountersAsync(database, projectId));

        // Bulk updates: gold, and a task moved on to review; a submit below the overlap changes nothing.
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == ids[1]).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsGold, true)));
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == ids[2]).ExecuteUpdateAsync(s => s.SetProperty(t => t.State, TaskState.InReview)));
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == ids[3]).ExecuteUpdateAsync(s => s.SetProperty(t => t.SubmittedCount, 1)));
        Assert.Equal(new TaskProgress(6, 3), await CountersAsync(database, projectId));

        // Soft delete and restore, of a complete task.
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == ids[0]).ExecuteUpdateAsync(s => s.SetProperty(t => t.DeletedAt, DateTime.UtcNow)));
        Assert.Equal(new TaskProgress(5, 2), await CountersAsync(database, projectId));
        await ChangeAsync(database, db => db.Tasks.Where(t => t.Id == ids[0]).ExecuteUpdateAsync(s => s.SetProperty(t => t.DeletedAt, (DateTime?)null)));
        Assert.Equal(new TaskProgress(6, 3), await CountersAsync(database, projectId));

        // An import's staged tasks count when its job succeeds, not before; one then deleted, one gold.
        var job = Import(projectId, RunState.Running);
        await ChangeAsync(database, db =>
        {
            db.DataJobs.Add(job);
            db.Tasks.AddRange(NewTask(projectId, "a", job.Id), NewTask(projectId, "b", job.Id), NewTask(projectId, "c", job.Id));
            return Task.CompletedTask;
        });
        await ChangeAsync(database, db => db.Tasks.Where(t => t.ImportJobId == job.Id && t.Text == "c").ExecuteUpdateAsync(s => s.SetProperty(t => t.IsGold, true)));
        Assert.Equal(new TaskProgress(6, 3), await CountersAsync(database, projectId));
        await ChangeAsync(database, async db => (await db.DataJobs.SingleAsync(j => j.Id == job.Id)).State = RunState.Succeeded);
        Assert.Equal(new TaskProgress(9, 4), await CountersAsync(database, projectId));
        await ChangeAsync(database, db => db.Tasks.Where(t => t.ImportJobId == job.Id && t.Text == "a").ExecuteDeleteAsync());
        Assert.Equal(new TaskProgress(8, 4), await CountersAsync(database, projectId));

        // A failed import discards its staged tasks: nothing was counted, nothing is taken off.
        var failed = Import(projectId, RunState.Running);
        await ChangeAsync(database, db =>
        {
            db.DataJobs.Add(failed);
            db.Tasks.Add(NewTask(projectId, "d", failed.Id));
            return Task.CompletedTask;
        });
        await ChangeAsync(database, db => db.DataJobs.Where(j => j.Id == failed.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, RunState.Failed)));
        await ChangeAsync(database, db => db.Tasks.Where(t => t.ImportJobId == failed.Id).ExecuteDeleteAsync());
        Assert.Equal(new TaskProgress(8, 4), await CountersAsync(database, projectId));

        // A tracked delete, and a task added one by one.
        await ChangeAsync(database, async db => db.Tasks.Remove(await db.Tasks.SingleAsync(t => t.Id == ids[5])));
        await ChangeAsync(database, db =>
        {
            db.Tasks.Add(NewTask(projectId, "e"));
            return Task.CompletedTask;
        });
        Assert.Equal(new TaskProgress(8, 4), await CountersAsync(database, projectId));

        // The succeeded job's row removed: its tasks no longer count as published (TaskQueries.Published).
        await ChangeAsync(database, db => db.DataJobs.Where(j => j.Id == job.Id).ExecuteDeleteAsync());
        Assert.Equal(new TaskProgress(6, 3), await CountersAsync(database, projectId));
    }

    [Fact]
    public async Task ConcurrentSubmits_LeaveTheCountersExact()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, annotators) = await LabelingServiceTests.ProjectAsync(database, tasks: 12, overlap: 2, annotators: 8);

        await LabelConcurrentlyAsync(database, projectId, annotators);

        Assert.Equal(new TaskProgress(12, 12), await CountersAsync(database, projectId));
    }

    [Fact]
    public async Task TheNightlyCheck_RepairsAWrongOrMissingCounter_AndLeavesTheRightOnes()
    {
        await using var database = await TestDatabase.CreateAsync();
        var wrong = await PlainProjectAsync(database, tasks: 4);
        var missing = await PlainProjectAsync(database, tasks: 3);
        var right = await PlainProjectAsync(database, tasks: 2);

        // The repair must apply the same rules as the recount: a deleted task, a staged one and a gold one in the wrong project.
        await ChangeAsync(database, async db =>
        {
            var staged = Import(wrong, RunState.Running);
            db.DataJobs.Add(staged);
            db.Tasks.Add(NewTask(wrong, "staged", staged.Id));
            await db.Tasks.Where(t => t.ProjectId == wrong && t.Text == "t0").ExecuteUpdateAsync(s => s.SetProperty(t => t.DeletedAt, DateTime.UtcNow));
            await db.Tasks.Where(t => t.ProjectId == wrong && t.Text == "t1").ExecuteUpdateAsync(s => s.SetProperty(t => t.IsGold, true));
        });
        await ChangeAsync(database, db => db.ProjectTaskCounters.Where(c => c.ProjectId == wrong).ExecuteUpdateAsync(s => s.SetProperty(c => c.Total, 999)));
        await ChangeAsync(database, db => db.ProjectTaskCounters.Where(c => c.ProjectId == missing).ExecuteDeleteAsync());

        var job = new TaskCounterCheckJob(database.Factory, NullLogger<TaskCounterCheckJob>.Instance);
        var repaired = await job.CheckAsync(default);

        Assert.Equal(new[] { wrong, missing }.Order(), repaired.Order());
        Assert.Equal(new TaskProgress(3, 1), await CountersAsync(database, wrong));
        Assert.Equal(new TaskProgress(3, 0), await CountersAsync(database, missing));
        Assert.Equal(new TaskProgress(2, 0), await CountersAsync(database, right));
        Assert.Empty(await job.CheckAsync(default));
    }

    [Fact]
    public async Task TheMigration_CountsTheTasksAlreadyThere()
    {
        await using var database = await MigratedToBeforeAsync("TaskCounters");

        // Tasks written in SQL: the model has columns of later migrations that this schema does not have yet.
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 1, annotators: 0);
        await using (var db = await database.ContextAsync())
        {
            var project = projectId.ToString().ToUpperInvariant();
            for (var i = 0; i < 5; i++)
            {
                var state = i < 2 ? (int)TaskState.Done : (int)TaskState.Open;
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO Tasks (ProjectId, ContentHash, Text, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, CreatedAt, Version)
                    VALUES ({project}, {"h" + i}, {"t" + i}, 0, 0, {state}, 1, 0, 0, 1, '2026-11-30 10:00:00', 0)
                    """);
            }
        }

        await using (var db = await database.ContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        Assert.Equal(new TaskProgress(5, 2), await CountersAsync(database, projectId));
    }

    /// <summary>A database migrated up to the migration before <paramref name="migration"/>, to write data the migration must count.</summary>
    internal static async Task<TestDatabase> MigratedToBeforeAsync(string migration)
    {
        var database = await TestDatabase.CreateAsync(migrate: false);
        await using var db = await database.ContextAsync();
        var migrations = db.Database.GetMigrations().ToList();
        await db.GetService<IMigrator>().MigrateAsync(migrations[migrations.FindIndex(m => m.EndsWith($"_{migration}", StringComparison.Ordinal)) - 1]);
        return database;
    }

    [Fact]
    public void SqlServerTriggers_ParseWithMicrosoftsTSqlParser() =>
        AssertTSql(TaskCounterTriggers.SqlServerCreate.Concat(TaskCounterTriggers.SqlServerDrop));

    /// <summary>Each statement parses with Microsoft's T-SQL parser (there is no SQL Server engine here).</summary>
    internal static void AssertTSql(IEnumerable<string> statements)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        foreach (var statement in statements)
        {
            using var reader = new StringReader(statement);
            parser.Parse(reader, out var errors);
            Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Line}:{e.Column} {e.Message}")) + "\n" + statement);
        }
    }
}
