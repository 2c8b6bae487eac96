using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Data.Entities;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Web.ImportExport;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// An import writes staged batches in short transactions: invisible to the queue until the job commits, gone when it
/// fails or is cancelled, and exact when a crashed job runs again.
/// </summary>
public class ImportStagingTests
{
    private const int Rows = 5000;

    private static readonly byte[] File = Encoding.UTF8.GetBytes(string.Join('\n',
        Enumerable.Range(0, Rows).Select(i => $$"""{"id":"t{{i}}","text":"Message number {{i}} about order {{1000 + i}}."}""")) + "\n");

    /// <summary>Where row <paramref name="row"/> starts in <see cref="File"/>: past four batches of 1,000 when 4,500.</summary>
    private static int Offset(int row) => Encoding.UTF8.GetByteCount(string.Join('\n',
        Enumerable.Range(0, row).Select(i => $$"""{"id":"t{{i}}","text":"Message number {{i}} about order {{1000 + i}}."}""")) + "\n");

    private static async Task<(TestDatabase Database, Guid ProjectId, Guid UserId, ImportService Service, List<Portal.Core.Security.PortalPrincipal> People)> SetupAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 0, overlap: 1, annotators: 1);
        return (database, projectId, people[0].UserId, database.Get<ImportService>(), people);
    }

    [Fact]
    public async Task WhileTheSourceStreams_WrittenBatchesAreStaged_TheQueueServesNone_ThenAllAtCommit()
    {
        var (database, projectId, userId, service, people) = await SetupAsync();
        await using var _ = database;
        var stream = new PausingStream(File, Offset(4500));

        var import = service.RunAsync(projectId, userId, stream, "t.jsonl", "staged", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        await stream.Paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var db = await database.ContextAsync())
        {
            // Four batches were committed while the source is still open; none is available.
            Assert.Equal((4000, 0), (await db.Tasks.CountAsync(t => t.ProjectId == projectId), await db.Tasks.CountAsync(t => t.ProjectId == projectId && t.IsAvailable)));
            // Nor do they count as the project's tasks yet.
            Assert.Empty(await db.ProgressAsync([projectId], default));
        }

        Assert.Null(await Service(database).NextAsync(people[0], projectId, default));
        stream.Resume.SetResult();
        var summary = await import;

        Assert.Equal((5000L, 5000L, true), (summary.Read, summary.Imported, summary.Committed));
        await using var check = await database.ContextAsync();
        Assert.Equal(5000, await check.Tasks.CountAsync(t => t.ProjectId == projectId && t.IsAvailable && t.ImportJobId == summary.JobId));
        Assert.NotNull(await Service(database).NextAsync(people[0], projectId, default));
    }

    [Fact]
    public async Task Failure_AfterBatchesWereWritten_LeavesNothingVisibleNorStaged()
    {
        var (database, projectId, userId, service, _) = await SetupAsync();
        await using var __ = database;

        await Assert.ThrowsAsync<IOException>(() => service.RunAsync(
            projectId, userId, new PausingStream(File, Offset(4500), fail: true), "t.jsonl", "fails", new ImportOptions(TaskFileFormat.Jsonl), null, default));

        await using var db = await database.ContextAsync();
        Assert.Equal(0, await db.Tasks.CountAsync(t => t.ProjectId == projectId));
    }

    [Fact]
    public async Task Cancel_AfterBatchesWereWritten_LeavesNothing_AndTheSameImportThenRunsExactly()
    {
        var (database, projectId, userId, service, _) = await SetupAsync();
        await using var __ = database;
        var stream = new PausingStream(File, Offset(4500));
        using var cancel = new CancellationTokenSource();

        var import = service.RunAsync(projectId, userId, stream, "t.jsonl", "cancelled", new ImportOptions(TaskFileFormat.Jsonl), null, cancel.Token);
        await stream.Paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => import);
        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(0, await db.Tasks.CountAsync(t => t.ProjectId == projectId));
        }

        var again = await service.RunAsync(projectId, userId, new MemoryStream(File), "t.jsonl", "cancelled", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        Assert.Equal((5000L, 5000L, 0L), (again.Read, again.Imported, again.Duplicates));
    }

    [Fact]
    public async Task Resume_AfterACrashWhileStaging_DiscardsThePreviousAttempt_AndImportsExactlyOnce()
    {
        var (database, projectId, userId, service, _) = await SetupAsync();
        await using var __ = database;
        var crashed = await CrashedJobAsync(database, projectId, userId, "resume", publishing: false, staged: 3000);

        var summary = await service.RunAsync(projectId, userId, new MemoryStream(File), "t.jsonl", "resume", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((crashed, 5000L, 5000L, 0L, true), (summary.JobId, summary.Read, summary.Imported, summary.Duplicates, summary.Committed));
        await using var db = await database.ContextAsync();
        var tasks = await db.Tasks.Where(t => t.ImportJobId == crashed).Select(t => new { t.ExternalId, t.IsAvailable }).ToListAsync();
        Assert.Equal(5000, tasks.Select(t => t.ExternalId).Distinct().Count());
        Assert.Equal(5000, tasks.Count);
        Assert.All(tasks, t => Assert.True(t.IsAvailable));
    }

    [Fact]
    public async Task Resume_AfterACrashWhilePublishing_FinishesPublishing_WithTheRecordedCounts()
    {
        var (database, projectId, userId, service, _) = await SetupAsync();
        await using var __ = database;
        var crashed = await CrashedJobAsync(database, projectId, userId, "publishing", publishing: true, staged: 3000);

        var summary = await service.RunAsync(projectId, userId, new MemoryStream(File), "t.jsonl", "publishing", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((crashed, 3000L, 3000L, true, false), (summary.JobId, summary.Read, summary.Imported, summary.Committed, summary.AlreadyDone));
        await using var db = await database.ContextAsync();
        Assert.Equal(3000, await db.Tasks.CountAsync(t => t.ImportJobId == crashed && t.IsAvailable));
        Assert.Equal(RunState.Succeeded, (await db.DataJobs.SingleAsync(j => j.Id == crashed)).State);
    }

    [Fact]
    public async Task AnotherImportsStagedTexts_AreNoDuplicates_TheyMayYetBeDiscarded()
    {
        var (database, projectId, userId, service, _) = await SetupAsync();
        await using var __ = database;
        await CrashedJobAsync(database, projectId, userId, "other", publishing: false, staged: 10, withIds: false);
        var texts = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20).Select(i => $$"""{"text":"Message number {{i}} about order {{1000 + i}}."}""" + "\n")));

        var summary = await service.RunAsync(projectId, userId, new MemoryStream(texts), "t.jsonl", "texts", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((20L, 20L, 0L), (summary.Read, summary.Imported, summary.Duplicates));
    }

    [Fact]
    public async Task DuplicatesAcrossBatches_AreFoundAgainstTheJobsOwnStagedRows()
    {
        var (database, projectId, userId, service, _) = await SetupAsync();
        await using var __ = database;
        var repeated = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(File) + """{"id":"t7","text":"again"}""" + "\n" + """{"text":"Message number 9 about order 1009."}""" + "\n");

        var summary = await service.RunAsync(projectId, userId, new MemoryStream(repeated), "t.jsonl", "dups", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((5002L, 5000L, 2L), (summary.Read, summary.Imported, summary.Duplicates));
    }

    /// <summary>
    /// What a process killed mid-import leaves: the job Running (owner gone) with staged tasks, the first half of them
    /// available when it died while publishing (its outcome then recorded on the job, with its completion time).
    /// </summary>
    private static async Task<Guid> CrashedJobAsync(TestDatabase database, Guid projectId, Guid userId, string key, bool publishing, int staged, bool withIds = true)
    {
        await using var db = await database.ContextAsync();
        var now = DateTime.UtcNow;
        var job = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Import, Format = "jsonl", IdempotencyKey = key, State = RunState.Running,
            CreatedById = userId, CreatedAt = now, StartedAt = now, CompletedAt = publishing ? now : null,
            Processed = publishing ? staged : 0, Succeeded = publishing ? staged : 0,
        };
        db.DataJobs.Add(job);
        for (var i = 0; i < staged; i++)
        {
            var text = $"Message number {i} about order {1000 + i}.";
            db.Tasks.Add(new LabelingTask
            {
                ProjectId = projectId, ExternalId = withIds ? $"t{i}" : null, Text = text, ContentHash = ContentHash.Of(text), TargetAnnotations = 1,
                IsAvailable = publishing && i < staged / 2, ImportJobId = job.Id, CreatedAt = now,
            });
        }

        await db.SaveChangesAsync();
        return job.Id;
    }

    /// <summary>Reads like a file up to <paramref name="pauseAt"/> bytes, then waits for <see cref="Resume"/> (or fails like a lost disk).</summary>
    private sealed class PausingStream(byte[] bytes, int pauseAt, bool fail = false) : MemoryStream(bytes)
    {
        public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position == pauseAt)
            {
                Paused.TrySetResult();
                if (fail)
                {
                    throw new IOException("The disk went away.");
                }

                await Resume.Task.WaitAsync(cancellationToken);
            }

            var limit = Position < pauseAt ? pauseAt - (int)Position : buffer.Length;
            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, limit)], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
