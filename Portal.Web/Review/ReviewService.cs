using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Review;

/// <summary>
/// The review queue (DESIGN.md flow 5): submissions the project's review policy picked, oldest first or lowest
/// agreement first; accept, fix and accept, or reject back to the annotator with a comment. Reviewers, managers
/// and admins only; nobody reviews their own work; a decision on a stale version is a conflict.
/// </summary>
public sealed class ReviewService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, ConsensusService consensus, TimeProvider clock)
{
    public async Task<int> WaitingAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        // From the queue counters (decision 0023), the number the Home card shows: counting the queue here took 0.1-0.2 s
        // on every opening of the review page at a million tasks.
        return (await ReviewQueueCounts.ForReviewerAsync(db, user.UserId, projectId, ct)).ToReview;
    }

    /// <summary>The next submission to review, leaving out those the reviewer put aside this session.</summary>
    public async Task<ReviewItem?> NextAsync(PortalPrincipal user, Guid projectId, QueueOrder order, IReadOnlyCollection<long> putAside, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var queue = Queue(db, user, projectId, putAside);
        queue = order == QueueOrder.LowestAgreementFirst
            ? queue.OrderBy(a => db.Tasks.Where(t => t.Id == a.TaskId).Select(t => t.Agreement ?? 2).First()).ThenBy(a => a.SubmittedAt).ThenBy(a => a.Id)
            : queue.OrderBy(a => a.SubmittedAt).ThenBy(a => a.Id);
        var id = await queue.Select(a => a.Id).FirstOrDefaultAsync(ct);
        return id == 0 ? null : await LoadAsync(db, projectId, id, ct);
    }

    public async Task<ReviewItem> OpenAsync(PortalPrincipal user, Guid projectId, long annotationId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        return await LoadAsync(db, projectId, annotationId, ct);
    }

    private static IQueryable<Annotation> Queue(PortalDbContext db, PortalPrincipal user, Guid projectId, IReadOnlyCollection<long> putAside)
    {
        // Compared with a parameter so SQLite uses the (ProjectId, ReviewRequested, Status, SubmittedAt) index.
        var requested = true;
        return db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.ReviewRequested == requested &&
            a.Status == AnnotationStatus.Submitted && a.UserId != user.UserId && !putAside.Contains(a.Id));
    }

    private async Task<ReviewItem> LoadAsync(PortalDbContext db, Guid projectId, long annotationId, CancellationToken ct)
    {
        var a = await db.Annotations.AsNoTracking().Include(x => x.Spans).Include(x => x.Answers)
            .SingleOrDefaultAsync(x => x.Id == annotationId && x.ProjectId == projectId, ct) ?? throw new NotFoundException("The annotation");
        var task = await db.Tasks.AsNoTracking().Where(t => t.Id == a.TaskId).Select(t => new { t.Text, t.Agreement }).SingleAsync(ct);
        var annotator = await db.Users.Where(u => u.Id == a.UserId).Select(u => u.DisplayName).SingleAsync(ct);
        var past = await db.Reviews.AsNoTracking().Where(r => r.AnnotationId == a.Id).OrderBy(r => r.CreatedAt)
            .Select(r => new PastReview(r.CreatedAt, db.Users.Where(u => u.Id == r.ReviewerId).Select(u => u.DisplayName).First(), r.Decision, r.Comment))
            .ToListAsync(ct);
        return new ReviewItem(projectId, a.Id, a.TaskId, task.Text, await labelSets.GetAsync(db, a.TaxonomyVersionId, ct), await AnnotationStore.ResultOfAsync(db, a, ct),
            a.Version, a.UserId, annotator, a.SubmittedAt, task.Agreement, past, await ReviewerInstructionsAsync(db, projectId, ct));
    }

    internal static Task<string?> ReviewerInstructionsAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        db.GuidelineVersions.AsNoTracking().Where(g => g.ProjectId == projectId).OrderByDescending(g => g.Number)
            .Select(g => g.ReviewerInstructions).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Records the reviewer's decision. <paramref name="fixedResult"/> is required for <see cref="ReviewDecision.FixAndAccept"/>
    /// and a comment for <see cref="ReviewDecision.Reject"/>. A rejected annotation returns to its annotator's queue.
    /// </summary>
    public async Task DecideAsync(
        PortalPrincipal user, Guid projectId, long annotationId, int expectedVersion, ReviewDecision decision, AnnotationResult? fixedResult, string? comment, CancellationToken ct)
    {
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (decision == ReviewDecision.Reject && comment is null)
        {
            throw new ValidationException([("Comment", "Say what to fix: the annotator sees this comment with the task.")]);
        }

        if (comment?.Length > 4000)
        {
            throw new ValidationException([("Comment", "The comment is too long (at most 4000 characters).")]);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var annotation = await db.Annotations.Include(a => a.Spans).Include(a => a.Answers)
            .SingleOrDefaultAsync(a => a.Id == annotationId && a.ProjectId == projectId, ct) ?? throw new NotFoundException("The annotation");
        if (annotation.UserId == user.UserId)
        {
            throw new ForbiddenException("You cannot review your own work; another reviewer will.");
        }

        if (annotation.Version != expectedVersion || annotation.Status != AnnotationStatus.Submitted)
        {
            throw new ConflictException(annotation.Status == AnnotationStatus.Submitted
                ? "The annotator changed this work since you opened it. Reload to review the current version; nothing was saved."
                : "Someone reviewed this work meanwhile, or it is no longer submitted. Nothing was saved.");
        }

        var current = await AnnotationStore.ResultOfAsync(db, annotation, ct);
        var result = current;
        if (decision == ReviewDecision.FixAndAccept)
        {
            result = fixedResult ?? throw new ArgumentNullException(nameof(fixedResult));
            var text = await db.Tasks.Where(t => t.Id == annotation.TaskId).Select(t => t.Text).SingleAsync(ct);
            AnnotationStore.Validate(text, await labelSets.GetAsync(db, annotation.TaxonomyVersionId, ct), result, requireComplete: true);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (decision == ReviewDecision.Reject)
        {
            AnnotationStore.SendBack(annotation, comment!, now);
        }
        else
        {
            annotation.Status = AnnotationStatus.Accepted;
            annotation.ReviewComment = null;
            annotation.ReviewRequested = false;
            annotation.UpdatedAt = now;
        }

        var changed = result.ToJson() != current.ToJson();
        AnnotationStore.Record(db, annotation, user.UserId, now, result, changed ? RevisionReason.ReviewFix : RevisionReason.ReviewDecision,
            comment ?? (decision == ReviewDecision.Reject ? null : changed ? "Fixed and accepted" : "Accepted"));
        db.Reviews.Add(new Data.Entities.Review
        {
            AnnotationId = annotation.Id, ReviewerId = user.UserId, Decision = changed ? ReviewDecision.FixAndAccept : decision,
            Comment = comment, AnnotationVersion = expectedVersion, CreatedAt = now,
        });
        await AnnotationStore.SaveAsync(db, ct);
        if (changed)
        {
            // The fix changes what the task's consensus is made of.
            await consensus.EvaluateAsync(annotation.TaskId, ct);
        }
    }

    /// <summary>A task for QA leads: ground truth with provenance, its events, and every annotator's submitted work.</summary>
    public async Task<TaskDetail> TaskAsync(PortalPrincipal user, Guid projectId, long taskId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var task = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId && t.ProjectId == projectId)
            .Select(t => new { t.Text, t.State, t.Agreement }).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("The task");
        var annotations = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers)
            .Where(a => a.TaskId == taskId && a.Status != AnnotationStatus.Draft).OrderBy(a => a.Id).ToListAsync(ct);
        var truth = await db.GroundTruths.AsNoTracking().SingleOrDefaultAsync(g => g.TaskId == taskId, ct);
        var events = await db.TaskEvents.AsNoTracking().Where(e => e.TaskId == taskId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        var ids = annotations.Select(a => a.UserId).Concat(events.Where(e => e.ActorId != null).Select(e => e.ActorId!.Value));
        if (truth?.DecidedById is { } decider)
        {
            ids = ids.Append(decider);
        }

        var idList = ids.Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => idList.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        string Name(Guid id) => names.GetValueOrDefault(id, "someone");
        var versionId = truth?.TaxonomyVersionId ?? annotations.LastOrDefault()?.TaxonomyVersionId
            ?? await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;

        GroundTruthView? truthView = null;
        if (truth is not null)
        {
            var agreeing = JsonSerializer.Deserialize<List<string>>(truth.AgreeingAnnotatorsJson ?? "[]") ?? [];
            truthView = new GroundTruthView(AnnotationResult.FromJson(truth.ResultJson), truth.Source, truth.Rule,
                truth.DecidedById is { } d ? Name(d) : null, truth.DecidedAt,
                [.. agreeing.Select(a => Guid.TryParse(a, out var g) ? Name(g) : a)], truth.Agreement, truth.ReasonCode, truth.Note);
        }

        var results = await AnnotationStore.ResultsOfAsync(db, annotations, ct);
        return new TaskDetail(projectId, taskId, task.Text, task.State, task.Agreement, await labelSets.GetAsync(db, versionId, ct), truthView,
            [.. events.Select(e => new TaskEventView(e.At, e.Kind, e.ActorId is { } a ? Name(a) : null, e.Agreement, e.Detail))],
            [.. annotations.Select(a => new TaskAnnotationView(a.Id, a.UserId, Name(a.UserId), a.Status, a.SubmittedAt, results[a.Id]))]);
    }
}
