using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Review;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.Review;

/// <summary>Consensus on completion, the review loop and adjudication on a real SQLite database.</summary>
public class ReviewWorkflowTests
{
    private sealed record Setup(
        TestDatabase Database, Guid ProjectId, List<PortalPrincipal> Annotators, PortalPrincipal Reviewer,
        LabelingService Labeling, ReviewService Review, AdjudicationService Adjudication, ConsensusService Consensus);

    private static async Task<Setup> SetupAsync(TestDatabase database, int tasks, int overlap, int annotators, Action<Project>? configure = null)
    {
        var (projectId, people) = await ProjectAsync(database, tasks, overlap, annotators);
        var reviewer = new PortalPrincipal(Guid.CreateVersion7(), "Rita Reviewer", new HashSet<string> { AppRoles.User });
        await using (var db = await database.ContextAsync())
        {
            db.Users.Add(new User { Id = reviewer.UserId, ExternalId = $"r-{Guid.NewGuid():N}", Email = "r@x", DisplayName = reviewer.DisplayName, CreatedAt = DateTime.UtcNow });
            db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = reviewer.UserId, Role = ProjectRole.Reviewer, AddedAt = DateTime.UtcNow });
            var project = await db.Projects.SingleAsync(p => p.Id == projectId);
            configure?.Invoke(project);
            await db.SaveChangesAsync();
        }

        return new Setup(database, projectId, people, reviewer, Service(database),
            database.Get<ReviewService>(), database.Get<AdjudicationService>(), database.Get<ConsensusService>());
    }

    private static Guid Label(WorkItem item, string control, string name) => item.Controls.Single(c => c.Name == control).Labels.Single(l => l.Name == name).Key;

    /// <summary>Each annotator in turn takes the next task and submits what <paramref name="work"/> says.</summary>
    private static async Task<long> LabelAsync(Setup s, PortalPrincipal annotator, Func<WorkItem, AnnotationResult> work)
    {
        var item = (await s.Labeling.NextAsync(annotator, s.ProjectId, default))!;
        await s.Labeling.SubmitAsync(annotator, s.ProjectId, item.TaskId, work(item), item.Version, 1000, default);
        return item.TaskId;
    }

    private static AnnotationResult WithIntent(WorkItem item, string intent, params (int Start, int End)[] persons) =>
        new([.. persons.Select(p => new SpanValue("entities", Label(item, "entities", "Person"), p.Start, p.End))],
            [new AnswerValue("intent", Label(item, "intent", intent)), new AnswerValue("sentiment", item.Controls.Single(c => c.Name == "sentiment").Labels[0].Key)]);

    [Fact]
    public async Task Submit_LastOverlapAnnotationAgrees_ConsensusBecomesGroundTruthCandidate_Once()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 1, overlap: 2, annotators: 2);

        var task = await LabelAsync(s, s.Annotators[0], i => WithIntent(i, "Complaint", (12, 27)));
        await LabelAsync(s, s.Annotators[1], i => WithIntent(i, "Complaint", (12, 27)));

        await using (var db = await database.ContextAsync())
        {
            var truth = await db.GroundTruths.SingleAsync(g => g.TaskId == task);
            Assert.Equal(GroundTruthSource.Consensus, truth.Source);
            Assert.Contains("entities: span-majority>=0.5", truth.Rule, StringComparison.Ordinal);
            Assert.Equal(1.0, truth.Agreement);
            Assert.Contains(s.Annotators[1].UserId.ToString(), truth.AgreeingAnnotatorsJson!, StringComparison.Ordinal);
            Assert.Single(AnnotationResult.FromJson(truth.ResultJson).Spans);
            Assert.Equal(TaskState.Done, (await db.Tasks.SingleAsync(t => t.Id == task)).State);
        }

        // Idempotent: the sweep (or a retry) evaluating it again changes nothing.
        Assert.Null(await s.Consensus.EvaluateAsync(task, default));
        await database.Get<ConsensusSweepJob>().RunAsync(default);
        await using var check = await database.ContextAsync();
        Assert.Equal([TaskEventKind.ConsensusReached], await check.TaskEvents.Where(e => e.TaskId == task).Select(e => e.Kind).ToListAsync());
        Assert.Equal(1, await check.GroundTruths.CountAsync());
    }

    [Fact]
    public async Task Submit_DisputedAnswer_ReadsTheProjectsEarlierAnswers_AndTrustsTheReliableAnnotator()
    {
        // As TaskConsensusTests' Dawid-Skene case, through the service: "good" matches the truth on 30 earlier tasks,
        // "noisy1" and "noisy2" are each wrong on a third of them (never both). On the last task (served last: lowest
        // priority) the two noisy annotators outvote "good"; the project's history says to trust "good".
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 31, overlap: 3, annotators: 3, p => p.AgreementThreshold = 0);
        long last;
        await using (var db = await database.ContextAsync())
        {
            last = await db.Tasks.Where(t => t.ProjectId == s.ProjectId).MaxAsync(t => t.Id);
            await db.Tasks.Where(t => t.Id != last).ExecuteUpdateAsync(u => u.SetProperty(t => t.Priority, 1));
        }

        string Answer(WorkItem item, int annotator)
        {
            if (item.TaskId == last)
            {
                return annotator == 0 ? "Praise" : "Complaint";
            }

            var (truth, other) = item.TaskId % 2 == 0 ? ("Complaint", "Praise") : ("Praise", "Complaint");
            return annotator != 0 && item.TaskId % 3 == annotator - 1 ? other : truth;
        }

        for (var round = 0; round < 31; round++)
        {
            for (var a = 0; a < 3; a++)
            {
                await LabelAsync(s, s.Annotators[a], i => WithIntent(i, Answer(i, a)));
            }
        }

        await using var check = await database.ContextAsync();
        var truth = await check.GroundTruths.SingleAsync(g => g.TaskId == last);
        var praise = await check.Labels.Where(l => l.Name == "Praise").Select(l => l.Key).SingleAsync();
        Assert.Equal(93, await check.Annotations.CountAsync(a => a.ProjectId == s.ProjectId && a.Status == AnnotationStatus.Submitted));
        Assert.Contains("dawid-skene(31 tasks)", truth.Rule, StringComparison.Ordinal);
        Assert.Equal(praise, AnnotationResult.FromJson(truth.ResultJson).Answers.Single(x => x.Control == "intent").Label);
    }

    [Fact]
    public async Task Submit_Disagreement_AddsOneAnnotatorThenSendsToAdjudication_AndQueuesReviews()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 1, overlap: 2, annotators: 3);

        var task = await LabelAsync(s, s.Annotators[0], i => WithIntent(i, "Complaint", (12, 27)));
        await LabelAsync(s, s.Annotators[1], i => WithIntent(i, "Question"));
        await using (var db = await database.ContextAsync())
        {
            var t = await db.Tasks.SingleAsync(x => x.Id == task);
            Assert.Equal((3, true, TaskState.Open), (t.TargetAnnotations, t.IsAvailable, t.State));
            Assert.Equal(0, t.Agreement);
        }

        Assert.Equal(task, await LabelAsync(s, s.Annotators[2], i => WithIntent(i, "Praise", (0, 5))));

        await using var check = await database.ContextAsync();
        var final = await check.Tasks.SingleAsync(x => x.Id == task);
        Assert.Equal(TaskState.Adjudication, final.State);
        Assert.Equal(3, final.TargetAnnotations);
        Assert.Equal([TaskEventKind.AnnotatorAdded, TaskEventKind.SentToAdjudication],
            await check.TaskEvents.Where(e => e.TaskId == task).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());
        Assert.False(await check.GroundTruths.AnyAsync());
        // Review policy "low agreement only": every annotation of the task is in the review queue.
        Assert.Equal(3, await s.Review.WaitingAsync(s.Reviewer, s.ProjectId, default));
    }

    [Fact]
    public async Task Review_RejectFixAccept_RejectedWorkReturnsWithTheComment_AndTheFixComesBackToReview()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 2, overlap: 1, annotators: 1, p => p.ReviewPolicy = ReviewPolicy.All);
        var annotator = s.Annotators[0];
        var task = await LabelAsync(s, annotator, i => WithIntent(i, "Complaint", (12, 17)));

        var item = (await s.Review.NextAsync(s.Reviewer, s.ProjectId, QueueOrder.OldestFirst, [], default))!;
        Assert.Equal((task, annotator.UserId), (item.TaskId, item.AnnotatorId));
        await s.Review.DecideAsync(s.Reviewer, s.ProjectId, item.AnnotationId, item.Version, ReviewDecision.Reject, null, "Mark the full name, not only the first name.", default);
        Assert.Equal(0, await s.Review.WaitingAsync(s.Reviewer, s.ProjectId, default));

        // The rejected work comes before new tasks, with the comment.
        var back = (await s.Labeling.NextAsync(annotator, s.ProjectId, default))!;
        Assert.Equal(task, back.TaskId);
        Assert.Equal("Mark the full name, not only the first name.", back.ReviewComment);
        await s.Labeling.SubmitAsync(annotator, s.ProjectId, task, WithIntent(back, "Complaint", (12, 27)), back.Version, 500, default);

        var again = (await s.Review.NextAsync(s.Reviewer, s.ProjectId, QueueOrder.OldestFirst, [], default))!;
        Assert.Equal(item.AnnotationId, again.AnnotationId);
        Assert.Equal(ReviewDecision.Reject, Assert.Single(again.PastReviews).Decision);
        await s.Review.DecideAsync(s.Reviewer, s.ProjectId, again.AnnotationId, again.Version, ReviewDecision.Accept, null, null, default);

        await using (var db = await database.ContextAsync())
        {
            var annotation = await db.Annotations.SingleAsync(a => a.Id == item.AnnotationId);
            Assert.Equal(AnnotationStatus.Accepted, annotation.Status);
            Assert.Equal(1, (await db.Tasks.SingleAsync(t => t.Id == task)).SubmittedCount);
        }

        var history = await s.Labeling.RevisionsAsync(annotator, s.ProjectId, task, null, default);
        Assert.Equal(
            [RevisionReason.Submit, RevisionReason.ReviewDecision, RevisionReason.Submit, RevisionReason.ReviewDecision],
            history.Select(r => r.Reason));
        Assert.Equal(["Rita Reviewer", "Rita Reviewer"], history.Where(r => r.Reason == RevisionReason.ReviewDecision).Select(r => r.ChangedBy));
        Assert.Equal([AnnotationStatus.Rejected, AnnotationStatus.Accepted], history.Where(r => r.Reason == RevisionReason.ReviewDecision).Select(r => r.Status));
        // Accepted work is closed to its annotator.
        await Assert.ThrowsAsync<ConflictException>(() => s.Labeling.OpenAsync(annotator, s.ProjectId, task, default));
    }

    [Fact]
    public async Task Review_FixAndAccept_WritesTheReviewersResultAsAReviewFix()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 1, overlap: 1, annotators: 1, p => p.ReviewPolicy = ReviewPolicy.All);
        var task = await LabelAsync(s, s.Annotators[0], i => WithIntent(i, "Complaint", (12, 17)));
        var item = (await s.Review.NextAsync(s.Reviewer, s.ProjectId, QueueOrder.LowestAgreementFirst, [], default))!;
        var person = item.Controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Person").Key;
        var fixedResult = item.Result with { Spans = [new SpanValue("entities", person, 12, 27)] };

        await s.Review.DecideAsync(s.Reviewer, s.ProjectId, item.AnnotationId, item.Version, ReviewDecision.FixAndAccept, fixedResult, null, default);

        var last = (await s.Labeling.RevisionsAsync(s.Reviewer, s.ProjectId, task, s.Annotators[0].UserId, default))[^1];
        Assert.Equal((RevisionReason.ReviewFix, "Rita Reviewer", AnnotationStatus.Accepted), (last.Reason, last.ChangedBy, last.Status));
        Assert.Single(last.Added);
        Assert.Single(last.Removed);
        await using var db = await database.ContextAsync();
        Assert.Equal(ReviewDecision.FixAndAccept, (await db.Reviews.SingleAsync()).Decision);
    }

    [Fact]
    public async Task Review_StaleVersion_IsAConflictAndNothingIsOverwritten()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 1, overlap: 1, annotators: 1, p => p.ReviewPolicy = ReviewPolicy.All);
        var task = await LabelAsync(s, s.Annotators[0], i => WithIntent(i, "Complaint"));
        var item = (await s.Review.NextAsync(s.Reviewer, s.ProjectId, QueueOrder.OldestFirst, [], default))!;

        // The annotator reopens and changes the work while the reviewer looks at it.
        var reopened = await s.Labeling.OpenAsync(s.Annotators[0], s.ProjectId, task, default);
        await s.Labeling.SaveDraftAsync(s.Annotators[0], s.ProjectId, task, WithIntent(reopened, "Question"), reopened.Version, default);

        await Assert.ThrowsAsync<ConflictException>(() =>
            s.Review.DecideAsync(s.Reviewer, s.ProjectId, item.AnnotationId, item.Version, ReviewDecision.Accept, null, null, default));
        await using var db = await database.ContextAsync();
        Assert.False(await db.Reviews.AnyAsync());
        Assert.Equal(AnnotationStatus.Submitted, (await db.Annotations.SingleAsync()).Status);
    }

    [Fact]
    public async Task Review_RejectWithoutComment_AnnotatorsAndOwnWork_AreRefused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 1, overlap: 1, annotators: 1, p => p.ReviewPolicy = ReviewPolicy.All);
        await LabelAsync(s, s.Annotators[0], i => WithIntent(i, "Complaint"));
        var item = (await s.Review.NextAsync(s.Reviewer, s.ProjectId, QueueOrder.OldestFirst, [], default))!;

        var missing = await Assert.ThrowsAsync<ValidationException>(() =>
            s.Review.DecideAsync(s.Reviewer, s.ProjectId, item.AnnotationId, item.Version, ReviewDecision.Reject, null, "  ", default));
        Assert.Equal("Comment", Assert.Single(missing.Errors).Field);
        await Assert.ThrowsAsync<ForbiddenException>(() => s.Review.NextAsync(s.Annotators[0], s.ProjectId, QueueOrder.OldestFirst, [], default));
        await Assert.ThrowsAsync<ForbiddenException>(() =>
            s.Review.DecideAsync(s.Annotators[0], s.ProjectId, item.AnnotationId, item.Version, ReviewDecision.Accept, null, null, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => s.Adjudication.NextAsync(s.Annotators[0], s.ProjectId, QueueOrder.OldestFirst, [], default));
        await Assert.ThrowsAsync<ForbiddenException>(() => s.Review.TaskAsync(s.Annotators[0], s.ProjectId, item.TaskId, default));
        var outsider = new PortalPrincipal(Guid.CreateVersion7(), "Out", new HashSet<string> { AppRoles.User });
        await Assert.ThrowsAsync<NotFoundException>(() => s.Review.NextAsync(outsider, s.ProjectId, QueueOrder.OldestFirst, [], default));
    }

    [Fact]
    public async Task Adjudication_ResolvesADisagreement_IntoGroundTruthWithProvenance_Once()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 1, overlap: 2, annotators: 2, p => p.AnonymousAdjudication = true);
        var task = await LabelAsync(s, s.Annotators[0], i => WithIntent(i, "Complaint", (12, 27)));
        await LabelAsync(s, s.Annotators[1], i => WithIntent(i, "Question", (12, 27), (31, 38)));
        Assert.Equal(1, await s.Adjudication.WaitingAsync(s.Reviewer, s.ProjectId, default));

        var item = (await s.Adjudication.NextAsync(s.Reviewer, s.ProjectId, QueueOrder.OldestFirst, [], default))!;
        Assert.Equal(task, item.TaskId);
        Assert.Equal(["Annotator A", "Annotator B"], item.Annotators.Select(a => a.Name));
        Assert.All(item.Annotators, a => Assert.Null(a.UserId));
        var shared = Assert.Single(item.Merged.Spans, m => m.PreAccepted);
        Assert.Equal((12, 27), (shared.Value.Start, shared.Value.End));
        Assert.Single(item.Merged.Spans, m => !m.PreAccepted);

        var chosen = item.Annotators[0].Result;
        await Assert.ThrowsAsync<ValidationException>(() =>
            s.Adjudication.ResolveAsync(s.Reviewer, s.ProjectId, task, item.TaskVersion, chosen, AuditErrorType.None, null, default));
        await s.Adjudication.ResolveAsync(s.Reviewer, s.ProjectId, task, item.TaskVersion, chosen, AuditErrorType.WrongLabel, "Asks about a refund, but it is a complaint.", default);
        await Assert.ThrowsAsync<ConflictException>(() =>
            s.Adjudication.ResolveAsync(s.Reviewer, s.ProjectId, task, item.TaskVersion, chosen, AuditErrorType.WrongLabel, null, default));

        var detail = await s.Review.TaskAsync(s.Reviewer, s.ProjectId, task, default);
        var truth = detail.GroundTruth!;
        Assert.Equal((GroundTruthSource.Adjudication, "Rita Reviewer", AuditErrorType.WrongLabel), (truth.Source, truth.DecidedBy, truth.Reason));
        Assert.Equal(["A0"], truth.Agreeing);
        Assert.Equal(chosen.ToJson(), truth.Result.ToJson());
        Assert.Equal(TaskState.Done, detail.State);
        Assert.Equal([TaskEventKind.SentToAdjudication, TaskEventKind.Adjudicated], detail.Events.Select(e => e.Kind));
        Assert.Equal(0, await s.Adjudication.WaitingAsync(s.Reviewer, s.ProjectId, default));
        // Rules never overwrite a person's decision.
        Assert.Null(await s.Consensus.EvaluateAsync(task, default));
    }

    [Fact]
    public async Task Settings_ManagerSavesPolicyAndInstructions_AsANewGuidelinesVersion_OthersCannot()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, tasks: 1, overlap: 2, annotators: 1);
        var manager = new PortalPrincipal(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });
        var settings = database.Get<ReviewSettingsService>();
        var (_, current) = await settings.GetAsync(manager, s.ProjectId, default);

        var invalid = await Assert.ThrowsAsync<ValidationException>(() => settings.SaveAsync(manager, s.ProjectId, current with { AgreementThreshold = 1.5 }, default));
        Assert.Equal(nameof(ProjectSettings.AgreementThreshold), Assert.Single(invalid.Errors).Field);
        await Assert.ThrowsAsync<ForbiddenException>(() => settings.SaveAsync(s.Reviewer, s.ProjectId, current, default));
        await settings.SaveAsync(manager, s.ProjectId, current with
        {
            ReviewPolicy = ReviewPolicy.RandomSample, ReviewSamplePercent = 25, AnonymousAdjudication = true, ReviewerInstructions = "Check dates first.",
        }, default);

        var (_, saved) = await settings.GetAsync(manager, s.ProjectId, default);
        Assert.Equal((ReviewPolicy.RandomSample, 25, true, "Check dates first."), (saved.ReviewPolicy, saved.ReviewSamplePercent, saved.AnonymousAdjudication, saved.ReviewerInstructions));
        await using var db = await database.ContextAsync();
        Assert.True(await db.AuditLog.AnyAsync(e => e.Action == "project.review-settings" && e.ProjectId == s.ProjectId));
        var versions = await db.GuidelineVersions.Where(g => g.ProjectId == s.ProjectId).OrderBy(g => g.Number).ToListAsync();
        Assert.Equal("Check dates first.", versions[^1].ReviewerInstructions);
        Assert.Equal(versions[^2].Markdown, versions[^1].Markdown);
        // Annotators never receive reviewer instructions.
        var labelingGuidelines = await s.Labeling.GuidelinesAsync(s.Annotators[0], s.ProjectId, default);
        Assert.DoesNotContain("Check dates first.", labelingGuidelines!.Markdown, StringComparison.Ordinal);
    }
}
