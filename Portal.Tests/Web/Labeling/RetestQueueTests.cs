using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Labeling;

/// <summary>Blind retests in the queue: served after the minimum age at the project's rate, answered into the retest only.</summary>
public class RetestQueueTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A project with retests at 100 % after 14 days; the annotator submitted the first task at <see cref="Start"/>.</summary>
    private static async Task<(Guid ProjectId, PortalPrincipal Annotator, WorkItem First, AnnotationResult Answer)> SubmittedAsync(TestDatabase database, int tasks = 2)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks, overlap: 1, annotators: 1);
        await using (var db = await database.ContextAsync())
        {
            db.DriftSettings.Add(new DriftSettings { ProjectId = projectId, RetestRatePercent = 100, RetestMinDays = 14 });
            await db.SaveChangesAsync();
        }

        var labeling = database.Get<LabelingService>();
        var first = (await labeling.NextAsync(people[0], projectId, default))!;
        Assert.Null(first.RetestId);
        var answer = LabelingServiceTests.Answered(first, (24, 38));
        await labeling.SubmitAsync(people[0], projectId, first.TaskId, answer, first.Version, 1000, default);
        return (projectId, people[0], first, answer);
    }

    private static async Task<string> SnapshotAsync(TestDatabase database, long taskId)
    {
        await using var db = await database.ContextAsync();
        var annotation = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).SingleAsync(a => a.TaskId == taskId);
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
        var revisions = await db.AnnotationRevisions.CountAsync(r => r.AnnotationId == annotation.Id);
        var truth = await db.GroundTruths.Where(g => g.TaskId == taskId).Select(g => g.ResultJson).SingleOrDefaultAsync();
        return $"{annotation.Version}|{annotation.Status}|{annotation.ReviewRequested}|{Portal.Web.Common.AnnotationStore.ScoredPartOf(annotation).ToJson()}|{revisions}|" +
            $"{task.AssignedCount}|{task.SubmittedCount}|{task.IsAvailable}|{task.State}|{task.Version}|{truth}";
    }

    [Fact]
    public async Task Next_AfterMinDaysAtFullRate_ServesABlindRetest_WhoseSubmitLeavesTheOriginalUntouched()
    {
        var clock = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var (projectId, annotator, first, answer) = await SubmittedAsync(database);
        await using (var db = await database.ContextAsync())
        {
            db.GroundTruths.Add(new GroundTruth { TaskId = first.TaskId, ProjectId = projectId, TaxonomyVersionId = first.TaxonomyVersionId, ResultJson = answer.ToJson(), Source = Portal.Core.Review.GroundTruthSource.Review });
            await db.SaveChangesAsync();
        }

        var before = await SnapshotAsync(database, first.TaskId);
        clock.Advance(TimeSpan.FromDays(15));
        var labeling = database.Get<LabelingService>();

        var retest = (await labeling.NextAsync(annotator, projectId, default))!;

        Assert.NotNull(retest.RetestId);
        Assert.Equal(first.TaskId, retest.TaskId);
        // Blind: nothing of the earlier answer, and the same shape as a task never opened.
        Assert.Equal(AnnotationResult.Empty, retest.Draft);
        Assert.Equal(0, retest.Version);
        Assert.Null(retest.ReviewComment);
        Assert.Null(retest.Relabel);
        var again = LabelingServiceTests.Answered(retest, (24, 30));
        var version = await labeling.SaveRetestDraftAsync(annotator, projectId, retest.RetestId!.Value, again, retest.Version, default);
        Assert.Equal(1, version);
        Assert.Equal(again.ToJson(), (await labeling.NextAsync(annotator, projectId, default))!.Draft.ToJson());
        await labeling.SubmitRetestAsync(annotator, projectId, retest.RetestId.Value, again, version, default);

        Assert.Equal(before, await SnapshotAsync(database, first.TaskId));
        await using var check = await database.ContextAsync();
        var row = await check.Retests.SingleAsync();
        Assert.Equal(again.ToJson(), row.ResultJson);
        Assert.Equal(answer.ToJson(), row.OriginalResultJson);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, row.SubmittedAt);
        // Not served twice: the next task is the one new task left.
        var next = (await labeling.NextAsync(annotator, projectId, default))!;
        Assert.Null(next.RetestId);
        Assert.NotEqual(first.TaskId, next.TaskId);
    }

    [Fact]
    public async Task Next_BeforeMinDays_OrForAGoldTask_ServesNoRetest()
    {
        var clock = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var (projectId, annotator, first, _) = await SubmittedAsync(database, tasks: 3);
        var labeling = database.Get<LabelingService>();
        clock.Advance(TimeSpan.FromDays(13));

        var early = (await labeling.NextAsync(annotator, projectId, default))!;
        Assert.Null(early.RetestId);
        await labeling.SubmitAsync(annotator, projectId, early.TaskId, LabelingServiceTests.Answered(early), early.Version, 1000, default);
        await using (var db = await database.ContextAsync())
        {
            await db.Tasks.Where(t => t.Id == first.TaskId).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsGold, true));
        }

        clock.Advance(TimeSpan.FromDays(2));
        var later = (await labeling.NextAsync(annotator, projectId, default))!;

        // The first task is old enough but gold; the second is not old enough yet.
        Assert.Null(later.RetestId);
        await using var check = await database.ContextAsync();
        Assert.Equal(0, await check.Retests.CountAsync());
    }

    [Fact]
    public async Task OpenFromHistory_WhileARetestIsOpen_EditsTheOriginal()
    {
        var clock = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var (projectId, annotator, first, answer) = await SubmittedAsync(database);
        clock.Advance(TimeSpan.FromDays(15));
        var labeling = database.Get<LabelingService>();
        var retest = (await labeling.NextAsync(annotator, projectId, default))!;
        Assert.NotNull(retest.RetestId);

        var reopened = await labeling.OpenAsync(annotator, projectId, first.TaskId, default);

        Assert.Null(reopened.RetestId);
        Assert.Equal(answer.ToJson(), reopened.Draft.ToJson());
        var changed = LabelingServiceTests.Answered(reopened);
        await labeling.SaveDraftAsync(annotator, projectId, first.TaskId, changed, reopened.Version, default);
        await using var check = await database.ContextAsync();
        var annotation = await check.Annotations.Include(a => a.Spans).Include(a => a.Answers).SingleAsync(a => a.TaskId == first.TaskId);
        Assert.Equal(changed.ToJson(), Portal.Web.Common.AnnotationStore.ScoredPartOf(annotation).ToJson());
        var row = await check.Retests.SingleAsync();
        Assert.Null(row.DraftJson);
        Assert.Null(row.ResultJson);
    }

    [Fact]
    public async Task Next_AnOpenRetestIsServedAgain_UntilItExpires_ThenClosed()
    {
        var clock = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var (projectId, annotator, first, _) = await SubmittedAsync(database);
        clock.Advance(TimeSpan.FromDays(15));
        var labeling = database.Get<LabelingService>();
        var retest = (await labeling.NextAsync(annotator, projectId, default))!;

        Assert.Equal(retest.RetestId, (await labeling.NextAsync(annotator, projectId, default))!.RetestId);
        clock.Advance(TimeSpan.FromDays(1));
        var next = (await labeling.NextAsync(annotator, projectId, default))!;

        Assert.Null(next.RetestId);
        Assert.NotEqual(first.TaskId, next.TaskId);
        await using var check = await database.ContextAsync();
        Assert.NotNull((await check.Retests.SingleAsync()).ClosedAt);
        await Assert.ThrowsAsync<ConflictException>(() =>
            labeling.SubmitRetestAsync(annotator, projectId, retest.RetestId!.Value, LabelingServiceTests.Answered(retest), 0, default));
    }

    [Fact]
    public async Task SkipRetest_ClosesIt_AndLeavesTheAnnotation()
    {
        var clock = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var (projectId, annotator, first, _) = await SubmittedAsync(database);
        var before = await SnapshotAsync(database, first.TaskId);
        clock.Advance(TimeSpan.FromDays(15));
        var labeling = database.Get<LabelingService>();
        var retest = (await labeling.NextAsync(annotator, projectId, default))!;

        await labeling.SkipRetestAsync(annotator, projectId, retest.RetestId!.Value, "Unclear text", 0, default);

        Assert.Equal(before, await SnapshotAsync(database, first.TaskId));
        await using var check = await database.ContextAsync();
        Assert.NotNull((await check.Retests.SingleAsync()).ClosedAt);
    }
}
