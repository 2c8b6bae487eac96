using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Drift;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Labeling;

/// <summary>Relabel tasks a drift finding made: served with their reason, resolved with their agreement, the finding resolved with the last one.</summary>
public class RelabelQueueTests
{
    private static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    private sealed record Setup(Guid ProjectId, List<PortalPrincipal> People, WorkItem First, AnnotationResult Answer, long AnnotationId, long FindingId);

    /// <summary>Annotator 0 submitted the first task, it was accepted into ground truth, and a finding asks for a relabel by <paramref name="relabeler"/>.</summary>
    private static async Task<Setup> AcceptedWithRelabelAsync(TestDatabase database, int relabeler = 0, int items = 1)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 3, overlap: 1, annotators: 2);
        var labeling = database.Get<LabelingService>();
        var first = (await labeling.NextAsync(people[0], projectId, default))!;
        var answer = LabelingServiceTests.Answered(first, (24, 38));
        await labeling.SubmitAsync(people[0], projectId, first.TaskId, answer, first.Version, 1000, default);
        await using var db = await database.ContextAsync();
        var annotation = await db.Annotations.SingleAsync(a => a.TaskId == first.TaskId);
        annotation.Status = AnnotationStatus.Accepted;
        db.GroundTruths.Add(new GroundTruth { TaskId = first.TaskId, ProjectId = projectId, TaxonomyVersionId = first.TaxonomyVersionId, ResultJson = answer.ToJson(), Source = GroundTruthSource.Review });
        var finding = new DriftFinding
        {
            ProjectId = projectId, RunKey = "2026-06-01", LastRunKey = "2026-06-01", Kind = DriftKind.IntraAnnotatorConsistency, Subject = DriftLimits.Annotator(people[0].UserId),
            Summary = "A0 disagrees with themself", EvidenceJson = "{}", DetectedAt = DateTime.UtcNow, LastSeenAt = DateTime.UtcNow,
        };
        db.DriftFindings.Add(finding);
        await db.SaveChangesAsync();
        // The queue starts each person at their own task, so the first may be the project's last: others come from the table.
        var others = await db.Tasks.Where(t => t.ProjectId == projectId && t.Id != first.TaskId).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
        for (var i = 0; i < items; i++)
        {
            db.RelabelItems.Add(new RelabelItem
            {
                ProjectId = projectId, TaskId = i == 0 ? first.TaskId : others[i - 1], AnnotationId = i == 0 ? annotation.Id : null,
                AssignedToUserId = people[relabeler].UserId, Reason = "Your answers changed on retests", Context = "Check the person names again.",
                DriftFindingId = finding.Id, PreviousResultJson = i == 0 ? answer.ToJson() : null, CreatedAt = DateTime.UtcNow,
            });
        }

        await db.SaveChangesAsync();
        return new Setup(projectId, people, first, answer, annotation.Id, finding.Id);
    }

    [Fact]
    public async Task Relabel_ByTheOriginalAnnotator_Changed_GoesToReview_KeepsGroundTruth_AndResolvesTheFinding()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await AcceptedWithRelabelAsync(database);
        var labeling = database.Get<LabelingService>();

        var item = (await labeling.NextAsync(setup.People[0], setup.ProjectId, default))!;

        Assert.Equal(setup.First.TaskId, item.TaskId);
        Assert.Equal("Your answers changed on retests", item.Relabel?.Reason);
        Assert.Equal("Check the person names again.", item.Relabel?.Context);
        Assert.Equal(setup.Answer.ToJson(), item.Draft.ToJson());
        Assert.Null(item.RetestId);
        var relabeled = LabelingServiceTests.Answered(item, (24, 30));
        await labeling.SubmitAsync(setup.People[0], setup.ProjectId, item.TaskId, relabeled, item.Version, 500, default);

        await using var db = await database.ContextAsync();
        var annotation = await db.Annotations.SingleAsync(a => a.Id == setup.AnnotationId);
        Assert.Equal(AnnotationStatus.Submitted, annotation.Status);
        Assert.True(annotation.ReviewRequested);
        Assert.Equal(AnnotationSource.Relabel, annotation.Source);
        Assert.Equal(item.TaxonomyVersionId, annotation.LabeledUnderVersionId);
        Assert.Equal(RevisionReason.Relabel, await db.AnnotationRevisions.Where(r => r.AnnotationId == annotation.Id).OrderByDescending(r => r.Number).Select(r => r.Reason).FirstAsync());
        Assert.Equal(setup.Answer.ToJson(), await db.GroundTruths.Where(g => g.TaskId == item.TaskId).Select(g => g.ResultJson).SingleAsync());
        var done = await db.RelabelItems.SingleAsync();
        Assert.NotNull(done.ResolvedAt);
        Assert.True(done.Changed);
        // The span moved (exact F1 0), the two answers stayed (1): the mean is 0.5.
        Assert.Equal(0.5, done.Agreement!.Value, 1e-9);
        Assert.Null(done.RelabelAnnotationId);
        var finding = await db.DriftFindings.SingleAsync();
        Assert.Equal(DriftFindingState.Resolved, finding.State);
        Assert.NotNull(finding.StateChangedAt);
        Assert.Equal(1, await db.AuditLog.CountAsync(e => e.Action == "relabel.done" && e.ProjectId == setup.ProjectId && e.ObjectId == annotation.Id.ToString()));
        // The task's counters do not move: the work was counted when it was first submitted.
        var task = await db.Tasks.SingleAsync(t => t.Id == item.TaskId);
        Assert.Equal((1, 1), (task.AssignedCount, task.SubmittedCount));
    }

    [Fact]
    public async Task Relabel_Unchanged_ConfirmsTheWork_KeepsItAccepted()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await AcceptedWithRelabelAsync(database);
        var labeling = database.Get<LabelingService>();
        var item = (await labeling.NextAsync(setup.People[0], setup.ProjectId, default))!;

        await labeling.SubmitAsync(setup.People[0], setup.ProjectId, item.TaskId, item.Draft, item.Version, 500, default);

        await using var db = await database.ContextAsync();
        var annotation = await db.Annotations.SingleAsync(a => a.Id == setup.AnnotationId);
        Assert.Equal(AnnotationStatus.Accepted, annotation.Status);
        Assert.False(annotation.ReviewRequested);
        Assert.Equal(AnnotationSource.Relabel, annotation.Source);
        var done = await db.RelabelItems.SingleAsync();
        Assert.Equal((false, 1.0), (done.Changed, done.Agreement));
        // Served no more: the next task is a new one.
        var next = (await labeling.NextAsync(setup.People[0], setup.ProjectId, default))!;
        Assert.Null(next.Relabel);
        Assert.NotEqual(item.TaskId, next.TaskId);
    }

    [Fact]
    public async Task Relabel_ByAnotherAnnotator_LabelsFresh_InASlotOfItsOwn()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await AcceptedWithRelabelAsync(database, relabeler: 1);
        var labeling = database.Get<LabelingService>();

        var item = (await labeling.NextAsync(setup.People[1], setup.ProjectId, default))!;

        Assert.Equal(setup.First.TaskId, item.TaskId);
        Assert.NotNull(item.Relabel);
        Assert.Equal(AnnotationResult.Empty, item.Draft);
        await Assert.ThrowsAsync<ConflictException>(() => labeling.SkipAsync(setup.People[1], setup.ProjectId, item.TaskId, "No", item.Version, default));
        await labeling.SubmitAsync(setup.People[1], setup.ProjectId, item.TaskId, setup.Answer, item.Version, 500, default);

        await using var db = await database.ContextAsync();
        var theirs = await db.Annotations.SingleAsync(a => a.TaskId == item.TaskId && a.UserId == setup.People[1].UserId);
        Assert.Equal(AnnotationSource.Relabel, theirs.Source);
        Assert.Equal(AnnotationStatus.Submitted, theirs.Status);
        var done = await db.RelabelItems.SingleAsync();
        Assert.Equal(theirs.Id, done.RelabelAnnotationId);
        Assert.Equal((false, 1.0), (done.Changed, done.Agreement));
        var task = await db.Tasks.SingleAsync(t => t.Id == item.TaskId);
        Assert.Equal((2, 2, false), (task.AssignedCount, task.SubmittedCount, task.IsAvailable));
        Assert.Equal(0, await db.Reservations.CountAsync(r => r.TaskId == item.TaskId));
        Assert.Equal(AnnotationStatus.Accepted, (await db.Annotations.SingleAsync(a => a.Id == setup.AnnotationId)).Status);
    }

    [Fact]
    public async Task Finding_StaysOpen_WhileAnotherOfItsRelabelTasksIsOpen()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await AcceptedWithRelabelAsync(database, items: 2);
        var labeling = database.Get<LabelingService>();
        var item = (await labeling.NextAsync(setup.People[0], setup.ProjectId, default))!;

        await labeling.SubmitAsync(setup.People[0], setup.ProjectId, item.TaskId, item.Draft, item.Version, 500, default);

        await using var db = await database.ContextAsync();
        Assert.Equal(DriftFindingState.Open, (await db.DriftFindings.SingleAsync()).State);
        var report = (await database.Get<RelabelReport>().ForFindingAsync(Manager, setup.ProjectId, setup.FindingId, default))!;
        Assert.Equal((2, 1, 0, 1.0), (report.Created, report.Done, report.Changed, report.MeanAgreement));
        Assert.Equal("A0", Assert.Single(report.Items).Annotator);
        await Assert.ThrowsAsync<ForbiddenException>(() => database.Get<RelabelReport>().ForProjectAsync(setup.People[1], setup.ProjectId, default));
    }
}
