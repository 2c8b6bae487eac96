using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Queries;

namespace Portal.Web.Labeling;

/// <summary>
/// The annotator's side: the next task (queue), drafts, submit and skip. Every call checks project access on the
/// server; an annotator only ever sees their own annotation of a task (blind labeling).
/// </summary>
public sealed class LabelingService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, TimeProvider clock, Review.ConsensusService consensus,
    Audits.GoldService gold, Audits.QualityHoldService holds, RetestQueue retests, AuditLog audit, ILogger<LabelingService> logger)
{
    /// <summary>
    /// The task to work on: the one this user already holds (a reload, another tab, an open retest), then rejected work,
    /// then relabel tasks, else a newly claimed one by priority and age, with gold tasks and blind retests of their own
    /// earlier work injected at the project's rates; null when nothing is left for this user.
    /// An annotator on hold (paused, failed onboarding) gets nothing new but still finishes what they hold, fixes
    /// rejected work and relabels; one in onboarding gets gold tasks only.
    /// A claim is one conditional UPDATE, so concurrent annotators never push a task past its overlap.
    /// </summary>
    public async Task<WorkItem?> NextAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new { p.ReservationMinutes, p.GoldTaskRatePercent }).SingleAsync(ct);

        var held = await db.Reservations.AsNoTracking()
            .Where(r => r.ProjectId == projectId && r.UserId == user.UserId && r.ExpiresAt > now)
            .OrderBy(r => r.ReservedAt).Select(r => r.TaskId).FirstOrDefaultAsync(ct);
        if (held != 0)
        {
            return await LoadAsync(db, user, projectId, held, ct);
        }

        if (await RetestQueue.OpenAsync(db, projectId, user.UserId, now, ct) is { } open)
        {
            return await LoadAsync(db, user, projectId, open.TaskId, ct, open);
        }

        // Work a reviewer sent back comes before new tasks, oldest first.
        var rejected = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.UserId == user.UserId && a.Status == AnnotationStatus.Rejected)
            .OrderBy(a => a.UpdatedAt).Select(a => a.TaskId).FirstOrDefaultAsync(ct);
        if (rejected != 0)
        {
            return await LoadAsync(db, user, projectId, rejected, ct);
        }

        // Then relabel tasks: their own work again, or another annotator's task they label fresh (a slot of its own).
        var relabel = await RelabelQueue.NextTaskAsync(db, projectId, user.UserId, ct);
        if (relabel != 0 && (await db.Annotations.AnyAsync(a => a.TaskId == relabel && a.UserId == user.UserId && a.Round == 0, ct)
            || await TryClaimAsync(db, user.UserId, projectId, relabel, now, project.ReservationMinutes, beyondOverlap: true, ct)))
        {
            return await LoadAsync(db, user, projectId, relabel, ct);
        }

        var gate = await holds.GateAsync(projectId, user.UserId, ct);
        if (gate == Audits.QueueGate.Held)
        {
            return null;
        }

        if (gate != Audits.QueueGate.OnboardingOnly && await RetestQueue.TryCreateAsync(db, projectId, user.UserId, now, project.ReservationMinutes, ct) is { } retest)
        {
            return await LoadAsync(db, user, projectId, retest.TaskId, ct, retest);
        }

        var goldFirst = gate == Audits.QueueGate.OnboardingOnly || (project.GoldTaskRatePercent > 0 && Random.Shared.Next(100) < project.GoldTaskRatePercent);
        foreach (var gold in gate == Audits.QueueGate.OnboardingOnly ? [true] : new[] { goldFirst, !goldFirst })
        {
            if (await ClaimNewAsync(db, user.UserId, projectId, gold, now, project.ReservationMinutes, ct) is { } taskId)
            {
                return await LoadAsync(db, user, projectId, taskId, ct);
            }
        }

        return null;
    }

    /// <summary>Claims a new task of the kind asked (gold or not) by priority and age; null when none is left.</summary>
    private static async Task<long?> ClaimNewAsync(PortalDbContext db, Guid userId, Guid projectId, bool gold, DateTime now, int minutes, CancellationToken ct)
    {
        // Compared with a parameter, not as a bare column: SQLite only uses the (ProjectId, IsAvailable, IsGold,
        // Priority, Id) index for equality terms, and a bare boolean made the next-task query scan the project.
        var available = true;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var candidates = await db.Tasks.AsNoTracking()
                .Where(t => t.ProjectId == projectId && t.IsAvailable == available && t.IsGold == gold
                    && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == userId)
                    && !db.Reservations.Any(r => r.TaskId == t.Id && r.UserId == userId))
                .OrderByDescending(t => t.Priority).ThenBy(t => t.Id)
                .Select(t => new { t.Id, t.Priority }).Take(16).ToListAsync(ct);
            if (candidates.Count == 0)
            {
                return null;
            }

            // Annotators pressing Next together would all race for the first candidate: each starts at its own
            // among those of the top priority (priority still comes first, age only among equals).
            var top = candidates.TakeWhile(c => c.Priority == candidates[0].Priority).Select(c => c.Id).ToList();
            var first = (int)((uint)userId.GetHashCode() % (uint)top.Count);
            foreach (var taskId in top.Skip(first).Concat(top.Take(first)).Concat(candidates.Skip(top.Count).Select(c => c.Id)))
            {
                if (await TryClaimAsync(db, userId, projectId, taskId, now, minutes, beyondOverlap: false, ct))
                {
                    return taskId;
                }
            }
        }

        return null;
    }

    /// <param name="beyondOverlap">
    /// A relabel by another annotator: the task gets an extra slot of its own (its availability for others is computed
    /// as always, so it is never pushed open again), and the reservation makes the usual checks pass.
    /// </param>
    private static async Task<bool> TryClaimAsync(
        PortalDbContext db, Guid userId, Guid projectId, long taskId, DateTime now, int minutes, bool beyondOverlap, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.Tasks
            // A deleted task is never served, not even as a relabel beyond its overlap.
            .Where(t => t.Id == taskId && t.DeletedAt == null && (beyondOverlap || (t.IsAvailable && t.AssignedCount < t.TargetAnnotations)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.AssignedCount, t => t.AssignedCount + 1)
                .SetProperty(t => t.IsAvailable, t => t.DeletedAt == null && t.AssignedCount + 1 < t.TargetAnnotations)
                .SetProperty(t => t.Version, t => t.Version + 1), ct);
        if (claimed == 0)
        {
            return false;
        }

        db.Reservations.Add(new Reservation { ProjectId = projectId, TaskId = taskId, UserId = userId, ReservedAt = now, ExpiresAt = now.AddMinutes(minutes) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same user claimed it in another tab a moment ago: keep theirs, undo this slot.
            db.ChangeTracker.Clear();
            await tx.RollbackAsync(ct);
            return false;
        }

        await tx.CommitAsync(ct);
        return true;
    }

    /// <param name="retest">A blind retest to serve: it looks like a new task (its own draft only, never the earlier answer).</param>
    private async Task<WorkItem> LoadAsync(PortalDbContext db, PortalPrincipal user, Guid projectId, long taskId, CancellationToken ct, Retest? retest = null)
    {
        var task = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId && t.ProjectId == projectId).Select(t => new { t.Id, t.Text }).SingleAsync(ct);
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct)
            ?? throw new InvalidOperationException("The project has no published taxonomy.");
        var annotation = retest is not null ? null : await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers)
            .SingleOrDefaultAsync(a => a.TaskId == taskId && a.UserId == user.UserId && a.Round == 0, ct);
        var until = retest?.ExpiresAt
            ?? await db.Reservations.Where(r => r.TaskId == taskId && r.UserId == user.UserId).Select(r => (DateTime?)r.ExpiresAt).SingleOrDefaultAsync(ct);
        var draft = retest is not null ? (retest.DraftJson is { } saved ? AnnotationResult.FromJson(saved) : AnnotationResult.Empty)
            : annotation is null ? AnnotationResult.Empty : await AnnotationStore.ResultOfAsync(db, annotation, ct);
        // Rejected work (a taxonomy change sends it back too) shows its comment; a relabel asked otherwise shows its reason.
        var relabel = retest is null && annotation?.Status != AnnotationStatus.Rejected ? await RelabelQueue.RequestAsync(db, taskId, user.UserId, ct) : null;
        // A relabel is done with the current label set; other work keeps the one it was made under until submitted.
        var itemVersionId = relabel is null ? annotation?.TaxonomyVersionId ?? versionId : versionId;
        var controls = await labelSets.GetAsync(db, itemVersionId, ct);
        var prediction = await db.Predictions.AsNoTracking().Where(p => p.TaskId == taskId)
            .OrderByDescending(p => p.CreatedAt).Select(p => new { p.ModelVersion, p.ResultJson }).FirstOrDefaultAsync(ct);
        var suggestions = prediction is null ? [] : Suggestions(AnnotationResult.FromJson(prediction.ResultJson), controls, task.Text.Length, draft);
        return new WorkItem(projectId, task.Id, task.Text, itemVersionId, controls,
            draft, retest is not null ? RetestQueue.ClientVersion(retest) : annotation?.Version ?? 0, until ?? clock.GetUtcNow().UtcDateTime)
        {
            Suggestions = suggestions,
            SuggestedBy = suggestions.Count > 0 ? prediction!.ModelVersion : null,
            ReviewComment = annotation?.Status == AnnotationStatus.Rejected ? annotation.ReviewComment : null,
            Relabel = relabel,
            RetestId = retest?.Id,
        };
    }

    /// <summary>Predicted spans that fit this label set and text and are not in the draft already.</summary>
    private static List<SpanValue> Suggestions(AnnotationResult predicted, IReadOnlyList<ControlView> controls, int textLength, AnnotationResult draft) =>
        [.. predicted.Spans.Where(s =>
            s.Start >= 0 && s.End <= textLength && s.End > s.Start && !draft.Spans.Contains(s) &&
            controls.Any(c => c.Name == s.Control && c.Kind == ControlKind.Spans && c.Labels.Any(l => l.Key == s.Label && !l.IsDeprecated)))];

    /// <summary>Saves the draft; returns its new version. A stale <paramref name="expectedVersion"/> is a conflict.</summary>
    public async Task<int> SaveDraftAsync(PortalPrincipal user, Guid projectId, long taskId, AnnotationResult result, int expectedVersion, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var relabel = await RelabelQueue.AnyOpenAsync(db, taskId, user.UserId, ct);
        var annotation = await PrepareAsync(db, user, projectId, taskId, result, expectedVersion, requireComplete: false, isGold: null, relabel, ct);
        EnsureChangeable(annotation, relabel);

        // A reopened submitted task stays submitted while it is changed; its edits are in the history.
        AnnotationStore.Record(db, annotation, user.UserId, clock.GetUtcNow().UtcDateTime, result, RevisionReason.Edit);
        await AnnotationStore.SaveAsync(db, ct);
        return annotation.Version;
    }

    /// <summary>
    /// Submits the annotation. Submitting the same content twice (a double click, a held key, a retried request)
    /// is a no-op: one annotation, one history entry. A submit while a relabel is asked of the user on the task is
    /// the relabel (see <see cref="ApplyRelabelAsync"/>).
    /// </summary>
    public async Task SubmitAsync(PortalPrincipal user, Guid projectId, long taskId, AnnotationResult result, int expectedVersion, long leadTimeMs, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var relabels = await RelabelQueue.OpenItemsAsync(db, projectId, taskId, user.UserId, ct);
        if (relabels.Count == 0 && await AlreadySubmittedAsync(db, projectId, taskId, user.UserId, result, ct))
        {
            return;
        }

        var isGold = new StrongBox<bool>();
        var annotation = await PrepareAsync(db, user, projectId, taskId, result, expectedVersion, requireComplete: true, isGold, relabels.Count > 0, ct);
        EnsureChangeable(annotation, relabels.Count > 0);
        // A rejected annotation already counts for its task: fixing it is a resubmission, and it goes back to review.
        var resubmit = annotation.Status is AnnotationStatus.Submitted or AnnotationStatus.Rejected or AnnotationStatus.Accepted;
        // Fixing work a taxonomy change sent back stays a resubmission (to review); any other open relabel makes this one.
        var outcome = relabels.Count > 0 && annotation.Status != AnnotationStatus.Rejected
            ? await RelabelQueue.CompareAsync(db, relabels, annotation, result, ct)
            : null;

        var now = clock.GetUtcNow().UtcDateTime;
        if (outcome is null)
        {
            annotation.ReviewRequested = annotation.Status == AnnotationStatus.Rejected || annotation.ReviewRequested || await PickedForReviewAsync(db, projectId, taskId, user.UserId, ct);
            annotation.Status = AnnotationStatus.Submitted;
            annotation.Source = await SourceOfAsync(db, taskId, result, ct);
        }
        else
        {
            await ApplyRelabelAsync(db, annotation, outcome, ct);
        }

        // The reviewer's comment stays in the history (the review and its revision); the fix answers it.
        annotation.ReviewComment = null;
        annotation.SubmittedAt = now;
        annotation.LeadTimeMs = Math.Max(annotation.LeadTimeMs, leadTimeMs);
        // What the work was labeled under; a taxonomy migration moves TaxonomyVersionId on, never these (drift checks read them).
        annotation.LabeledUnderVersionId = annotation.TaxonomyVersionId;
        annotation.GuidelineNumber = await db.GuidelineVersions.Where(g => g.ProjectId == projectId).MaxAsync(g => (int?)g.Number, ct);
        AnnotationStore.Record(db, annotation, user.UserId, now, result, outcome is null ? RevisionReason.Submit : RevisionReason.Relabel);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AnnotationStore.SaveAsync(db, ct);
        if (!resubmit)
        {
            await ReleaseAsync(db, user.UserId, taskId, submitted: true, ct);
        }

        var annotationId = annotation.Id;
        if (outcome is not null)
        {
            await ResolveRelabelsAsync(db, user, annotation, relabels, outcome, now, ct);
        }

        // Relabeling asked for by a taxonomy change is done once the work is submitted with current labels.
        await db.RelabelItems.Where(r => r.AnnotationId == annotationId && r.ResolvedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.ResolvedAt, now), ct);

        await tx.CommitAsync(ct);
        // Ground truth is never overwritten by a relabel: consensus runs only for tasks nobody decided yet.
        if (outcome is not { HasGroundTruth: true })
        {
            await EvaluateAsync(taskId, ct);
        }

        if (isGold.Value)
        {
            await ScoreGoldAsync(taskId, annotationId);
        }
    }

    private static async Task<bool> AlreadySubmittedAsync(PortalDbContext db, Guid projectId, long taskId, Guid userId, AnnotationResult result, CancellationToken ct)
    {
        var last = await db.AnnotationRevisions.AsNoTracking()
            .Where(r => r.Annotation!.ProjectId == projectId && r.Annotation.TaskId == taskId && r.Annotation.UserId == userId && r.Annotation.Round == 0)
            .OrderByDescending(r => r.Number)
            .Select(r => new { r.Reason, r.Status, r.ResultJson })
            .FirstOrDefaultAsync(ct);
        return last is { Reason: RevisionReason.Submit or RevisionReason.Relabel, Status: AnnotationStatus.Submitted or AnnotationStatus.Accepted }
            && last.ResultJson == result.ToJson();
    }

    /// <summary>
    /// A relabel: an unchanged answer confirms the work and keeps its status; a changed one is a new submission, and
    /// when the task already has ground truth it goes to a reviewer, who decides (a relabel never overwrites it).
    /// </summary>
    private static async Task ApplyRelabelAsync(PortalDbContext db, Annotation annotation, RelabelOutcome outcome, CancellationToken ct)
    {
        if (outcome.Changed || annotation.Status == AnnotationStatus.Draft)
        {
            annotation.ReviewRequested = annotation.ReviewRequested || (outcome.Changed && outcome.HasGroundTruth)
                || await PickedForReviewAsync(db, annotation.ProjectId, annotation.TaskId, annotation.UserId, ct);
            annotation.Status = AnnotationStatus.Submitted;
        }

        annotation.Source = AnnotationSource.Relabel;
    }

    /// <summary>Resolves the relabel items with their outcome, then the drift findings they all belonged to once none is left open.</summary>
    private async Task ResolveRelabelsAsync(
        PortalDbContext db, PortalPrincipal user, Annotation annotation, List<RelabelItem> items, RelabelOutcome outcome, DateTime now, CancellationToken ct)
    {
        RelabelQueue.Resolve(items, annotation.Id, outcome, now);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "relabel.done", "annotation", annotation.Id.ToString(CultureInfo.InvariantCulture), annotation.ProjectId,
            $"Task {annotation.TaskId}: {(outcome.Changed ? "changed" : "unchanged")}, agreement with the earlier answer {outcome.Agreement:0.00}"));
        await db.SaveChangesAsync(ct);
        await Drift.RelabelCompletion.ResolveFindingsAsync(db, items.Where(i => i.DriftFindingId is not null).Select(i => i.DriftFindingId!.Value), now, ct);
    }

    /// <summary>
    /// AcceptedSuggestion when the work keeps at least one predicted span as it was suggested (audits stratify by it);
    /// a result without spans needs no look-up.
    /// </summary>
    private static async Task<AnnotationSource> SourceOfAsync(PortalDbContext db, long taskId, AnnotationResult result, CancellationToken ct)
    {
        if (result.Spans.Count == 0)
        {
            return AnnotationSource.Human;
        }

        var predictions = await db.Predictions.AsNoTracking().Where(p => p.TaskId == taskId).Select(p => p.ResultJson).ToListAsync(ct);
        var submitted = result.Spans.ToHashSet();
        return predictions.Any(json => AnnotationResult.FromJson(json).Spans.Any(submitted.Contains)) ? AnnotationSource.AcceptedSuggestion : AnnotationSource.Human;
    }

    /// <summary>
    /// A gold task's submission is scored at once (the annotator is not told which tasks are gold). The work is saved by
    /// now: a failed scoring is logged, never reported as a failed submit.
    /// </summary>
    private async Task ScoreGoldAsync(long taskId, long annotationId)
    {
        try
        {
            await gold.ScoreAsync(taskId, annotationId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Scoring the gold submission {AnnotationId} of task {TaskId} failed; the submission is saved", annotationId, taskId);
        }
    }

    /// <summary>The project's review policy for a new submission; a random sample is stable per task and annotator.</summary>
    private static async Task<bool> PickedForReviewAsync(PortalDbContext db, Guid projectId, long taskId, Guid userId, CancellationToken ct)
    {
        var policy = await db.Projects.Where(p => p.Id == projectId).Select(p => new { p.ReviewPolicy, p.ReviewSamplePercent }).SingleAsync(ct);
        return policy.ReviewPolicy switch
        {
            ReviewPolicy.All => true,
            ReviewPolicy.RandomSample => Coverage.Bucket(ContentHash.Of($"{taskId}:{userId:N}")) < policy.ReviewSamplePercent,
            _ => false,
        };
    }

    /// <summary>Consensus once the task is complete; a failure here never fails the submit (the sweep job retries).</summary>
    private async Task EvaluateAsync(long taskId, CancellationToken ct)
    {
        try
        {
            await consensus.EvaluateAsync(taskId, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Consensus for task {TaskId} failed; the consensus sweep will retry it.", taskId);
        }
    }

    /// <summary>Skips the task with a reason; it goes back to the queue for others and never comes back to this user.</summary>
    public async Task SkipAsync(PortalPrincipal user, Guid projectId, long taskId, string reason, int expectedVersion, CancellationToken ct)
    {
        reason = RequireSkipReason(reason);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await RelabelQueue.AnyOpenAsync(db, taskId, user.UserId, ct))
        {
            // Its reason is on the page; a skipped relabel would stay open forever and keep its finding from resolving.
            throw new ConflictException("This task was sent back to you to label again, so it cannot be skipped. Label it as you see it now and submit.");
        }

        var annotation = await PrepareAsync(db, user, projectId, taskId, AnnotationResult.Empty, expectedVersion, requireComplete: false, isGold: null, relabel: false, ct);
        if (annotation.Status != AnnotationStatus.Draft)
        {
            throw new ConflictException("This task was already submitted or skipped.");
        }

        annotation.Status = AnnotationStatus.Skipped;
        annotation.SkipReason = reason;
        AnnotationStore.Record(db, annotation, user.UserId, clock.GetUtcNow().UtcDateTime, AnnotationResult.Empty, RevisionReason.Skip, reason);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AnnotationStore.SaveAsync(db, ct);
        await ReleaseAsync(db, user.UserId, taskId, submitted: false, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The trimmed reason; a missing or overlong one is refused.</summary>
    internal static string RequireSkipReason(string? reason)
    {
        reason = reason?.Trim() ?? "";
        if (reason.Length == 0 || reason.Length > 1000)
        {
            throw new ValidationException([("Reason", "Say in a few words why you skip this task (at most 1000 characters).")]);
        }

        return reason;
    }

    /// <summary>Keeps the answer of a blind retest (<see cref="WorkItem.RetestId"/>); the original annotation is left as it was.</summary>
    public Task SubmitRetestAsync(PortalPrincipal user, Guid projectId, long retestId, AnnotationResult result, int expectedVersion, CancellationToken ct) =>
        retests.SubmitAsync(user, projectId, retestId, result, expectedVersion, ct);

    /// <summary>Saves the draft of a blind retest; returns its new version.</summary>
    public Task<int> SaveRetestDraftAsync(PortalPrincipal user, Guid projectId, long retestId, AnnotationResult result, int expectedVersion, CancellationToken ct) =>
        retests.SaveDraftAsync(user, projectId, retestId, result, expectedVersion, ct);

    /// <summary>Skips a blind retest: it is closed and not served again.</summary>
    public Task SkipRetestAsync(PortalPrincipal user, Guid projectId, long retestId, string reason, int expectedVersion, CancellationToken ct) =>
        retests.SkipAsync(user, projectId, retestId, reason, expectedVersion, ct);

    /// <summary>
    /// The user's own annotations in the project, newest first by the user's own last action (keyset paging on it):
    /// a label-set migration or a review changes the annotation but is not the person's work, so it does not move the
    /// row to the top; <see cref="HistoryEntry.ChangedSince"/> says that something else changed it since.
    /// </summary>
    public async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(PortalPrincipal user, Guid projectId, int take, DateTime? before, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var userId = user.UserId;
        var rows = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.UserId == userId && a.Status != AnnotationStatus.Draft)
            .Select(a => new
            {
                a.TaskId, a.Status, a.UpdatedAt, a.SkipReason,
                // Work recorded without the user's revisions (imported, older data) falls back to its submit time.
                LastAction = db.AnnotationRevisions
                    .Where(r => r.AnnotationId == a.Id && r.ChangedById == userId && r.Reason != RevisionReason.TaxonomyMigration)
                    .Max(r => (DateTime?)r.ChangedAt) ?? a.SubmittedAt ?? a.CreatedAt,
            })
            .Where(a => before == null || a.LastAction < before)
            .OrderByDescending(a => a.LastAction).ThenByDescending(a => a.TaskId)
            .Take(Math.Clamp(take, 1, 200))
            .Select(a => new
            {
                a.TaskId, a.Status, a.UpdatedAt, a.SkipReason, a.LastAction,
                Text = db.Tasks.Where(t => t.Id == a.TaskId).Select(t => t.Text.Substring(0, 140)).First(),
            })
            .ToListAsync(ct);
        return [.. rows.Select(r => new HistoryEntry(r.TaskId, r.Text, r.Status, r.LastAction, IsOpen(r.Status), r.SkipReason, r.UpdatedAt > r.LastAction))];
    }

    /// <summary>
    /// Every revision of an annotation, oldest first, with what it changed. Annotators read their own only (blind
    /// labeling); reviewers and managers may name any annotator of the task.
    /// </summary>
    public async Task<IReadOnlyList<RevisionView>> RevisionsAsync(PortalPrincipal user, Guid projectId, long taskId, Guid? annotatorId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var owner = annotatorId ?? user.UserId;
        if (owner != user.UserId && role < ProjectRole.Reviewer)
        {
            throw new NotFoundException("The annotation");
        }

        var text = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId && t.ProjectId == projectId).Select(t => t.Text).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("The task");
        var revisions = await db.AnnotationRevisions.AsNoTracking()
            .Where(r => r.Annotation!.ProjectId == projectId && r.Annotation.TaskId == taskId && r.Annotation.UserId == owner && r.Annotation.Round == 0)
            .OrderBy(r => r.Number)
            .Select(r => new { r.Number, r.ChangedAt, r.ChangedById, r.Reason, r.Status, r.Note, r.ResultJson })
            .ToListAsync(ct);
        if (revisions.Count == 0)
        {
            throw new NotFoundException("The annotation");
        }

        var people = await db.Users.AsNoTracking().Where(u => revisions.Select(r => r.ChangedById).Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        // Label keys are stable across taxonomy versions; the newest path names them.
        var names = (await db.Labels.AsNoTracking()
                .Where(l => db.TaxonomyVersions.Any(v => v.Id == l.TaxonomyVersionId && db.Taxonomies.Any(t => t.Id == v.TaxonomyId && t.ProjectId == projectId)))
                .Select(l => new { l.Key, l.Path, Number = db.TaxonomyVersions.Where(v => v.Id == l.TaxonomyVersionId).Select(v => v.Number).First() })
                .ToListAsync(ct))
            .GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.MaxBy(l => l.Number)!.Path);
        string Name(Guid key) => names.GetValueOrDefault(key, "(removed label)");
        string Span(SpanValue s) => $"{Name(s.Label)}: \"{(s.End <= text.Length ? text[s.Start..s.End] : "?")}\"";
        string Answer(AnswerValue a) => $"{a.Control}: {Name(a.Label)}";

        var views = new List<RevisionView>(revisions.Count);
        AnnotationResult? previous = null;
        foreach (var r in revisions)
        {
            var result = AnnotationResult.FromJson(r.ResultJson);
            var diff = AnnotationDiff.Between(previous, result);
            views.Add(new RevisionView(r.Number, r.ChangedAt, r.ChangedById is { } id ? people.GetValueOrDefault(id, "someone") : "Portal", r.Reason, r.Status, r.Note,
                [.. diff.AddedSpans.Select(Span), .. diff.AddedAnswers.Select(Answer)],
                [.. diff.RemovedSpans.Select(Span), .. diff.RemovedAnswers.Select(Answer)]));
            previous = result;
        }

        return views;
    }

    /// <summary>Reopens one of the user's own submitted tasks to change it; reviewed work is closed.</summary>
    public async Task<WorkItem> OpenAsync(PortalPrincipal user, Guid projectId, long taskId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var annotation = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.TaskId == taskId && a.UserId == user.UserId && a.Round == 0)
            .Select(a => new { a.Id, a.Status }).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("The task");
        if (!IsOpen(annotation.Status))
        {
            throw new ConflictException("This task was reviewed or skipped, so it can no longer be changed here.");
        }

        return await LoadAsync(db, user, projectId, taskId, ct);
    }

    /// <summary>The project's current annotator guidelines (reviewer instructions are not shown to annotators).</summary>
    public async Task<Guidelines?> GuidelinesAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        return await db.GuidelineVersions.AsNoTracking().Where(g => g.ProjectId == projectId)
            .OrderByDescending(g => g.Number).Select(g => new Guidelines(g.Number, g.Markdown)).FirstOrDefaultAsync(ct);
    }

    public async Task<LabelingProgress> ProgressAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var today = clock.GetUtcNow().UtcDateTime.Date;
        // Only today's rows, through the (project, user, updated) index: a submit sets UpdatedAt, so work submitted today
        // was updated today. Counting all of a person's work here cost tens of milliseconds at a million tasks.
        var mineToday = await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.UserId == user.UserId && a.UpdatedAt >= today && a.SubmittedAt >= today, ct);
        var tasks = (await db.ProgressAsync([projectId], ct)).GetValueOrDefault(projectId);
        return new LabelingProgress(mineToday, tasks.Completed, tasks.Total);
    }

    /// <summary>
    /// Work its annotator may still change: drafts, submissions not yet reviewed, and rejected work (sent back to be
    /// fixed). Accepted and skipped work is closed; a review decision moves a submission to accepted or rejected.
    /// </summary>
    private static bool IsOpen(AnnotationStatus status) => status is AnnotationStatus.Draft or AnnotationStatus.Submitted or AnnotationStatus.Rejected;

    /// <param name="relabel">An open relabel asked of the user: accepted work may then be changed too.</param>
    private static void EnsureChangeable(Annotation annotation, bool relabel = false)
    {
        if (!IsOpen(annotation.Status) && !(relabel && annotation.Status == AnnotationStatus.Accepted))
        {
            throw new ConflictException("This task was skipped or reviewed in the meantime; your earlier work on it is kept as it was.");
        }
    }

    /// <summary>Access, ownership, validation and the optimistic version check shared by save, submit and skip.</summary>
    /// <param name="isGold">Told whether the task is gold (read with the task, so a submit needs no further look-up).</param>
    /// <param name="relabel">A relabel is open for the user on the task: it is theirs to label, and labeled with the current label set.</param>
    private async Task<Annotation> PrepareAsync(
        PortalDbContext db, PortalPrincipal user, Guid projectId, long taskId, AnnotationResult result, int expectedVersion, bool requireComplete,
        StrongBox<bool>? isGold, bool relabel, CancellationToken ct)
    {
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var task = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId && t.ProjectId == projectId).Select(t => new { t.Id, t.Text, t.IsGold }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("The task");
        if (isGold is not null)
        {
            isGold.Value = task.IsGold;
        }

        var annotation = await db.Annotations.Include(a => a.Spans).Include(a => a.Answers)
            .SingleOrDefaultAsync(a => a.TaskId == taskId && a.UserId == user.UserId && a.Round == 0, ct);
        if (annotation is null && !relabel && !await db.Reservations.AnyAsync(r => r.TaskId == taskId && r.UserId == user.UserId, ct))
        {
            // Blind labeling: a task is only open to the user the queue gave it to.
            throw new NotFoundException("The task");
        }

        var versionId = (relabel ? null : annotation?.TaxonomyVersionId)
            ?? await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct)
            ?? throw new InvalidOperationException("The project has no published taxonomy.");
        AnnotationStore.Validate(task.Text, await labelSets.GetAsync(db, versionId, ct), result, requireComplete);

        var now = clock.GetUtcNow().UtcDateTime;
        if (annotation is null)
        {
            if (expectedVersion != 0)
            {
                throw new ConflictException("This task changed since you opened it. Reload to see the current state.");
            }

            annotation = new Annotation
            {
                ProjectId = projectId, TaskId = taskId, UserId = user.UserId, TaxonomyVersionId = versionId,
                Status = AnnotationStatus.Draft, CreatedAt = now, UpdatedAt = now,
                // Version 0 means "no annotation yet" to clients, so a stored annotation starts at 1.
                Version = 1,
            };
            db.Annotations.Add(annotation);
        }
        else if (annotation.Version != expectedVersion)
        {
            var annotationId = annotation.Id;
            var lastReason = await db.AnnotationRevisions.Where(r => r.AnnotationId == annotationId).OrderByDescending(r => r.Number).Select(r => (RevisionReason?)r.Reason).FirstOrDefaultAsync(ct);
            throw new ConflictException(lastReason == RevisionReason.TaxonomyMigration
                ? "The project's label set was updated while you worked, and this task was carried over to it. Reload it to continue with the new labels; your saved work is kept."
                : "This task was changed in another tab or window. Reload it to continue from the latest version; your text selection is not lost in that tab.");
        }

        annotation.UpdatedAt = now;
        annotation.TaxonomyVersionId = versionId;
        return annotation;
    }

    /// <summary>
    /// Ends the user's hold on the task: removes the reservation and moves the task's counters with atomic updates
    /// (other annotators claim the same task concurrently, so its row is never loaded and written back).
    /// Runs in the caller's transaction, after the annotation is saved.
    /// </summary>
    private static async Task ReleaseAsync(PortalDbContext db, Guid userId, long taskId, bool submitted, CancellationToken ct)
    {
        var held = await db.Reservations.Where(r => r.TaskId == taskId && r.UserId == userId).ExecuteDeleteAsync(ct) > 0;
        var tasks = db.Tasks.Where(t => t.Id == taskId);
        if (submitted && held)
        {
            await tasks.ExecuteUpdateAsync(s => s.SetProperty(t => t.SubmittedCount, t => t.SubmittedCount + 1).SetProperty(t => t.Version, t => t.Version + 1), ct);
        }
        else if (submitted)
        {
            // The reservation had expired and its slot was released: the submitted work still counts.
            await tasks.ExecuteUpdateAsync(s => s
                .SetProperty(t => t.SubmittedCount, t => t.SubmittedCount + 1)
                .SetProperty(t => t.AssignedCount, t => t.AssignedCount + 1)
                .SetProperty(t => t.IsAvailable, t => t.DeletedAt == null && t.AssignedCount + 1 < t.TargetAnnotations)
                .SetProperty(t => t.Version, t => t.Version + 1), ct);
        }
        else if (held)
        {
            await tasks.ExecuteUpdateAsync(s => s
                .SetProperty(t => t.AssignedCount, t => t.AssignedCount > 0 ? t.AssignedCount - 1 : 0)
                .SetProperty(t => t.IsAvailable, t => t.DeletedAt == null && t.AssignedCount - 1 < t.TargetAnnotations)
                .SetProperty(t => t.Version, t => t.Version + 1), ct);
        }
    }
}
