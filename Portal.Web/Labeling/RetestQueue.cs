using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Labeling;

/// <summary>
/// Blind retests (test-retest): now and then an annotator is served one of their own items from at least
/// <see cref="DriftSettings.RetestMinDays"/> days ago, as if it were new. Everything they do with it is kept in its
/// <see cref="Retest"/> row; the original annotation, the task's counters, review and ground truth never see it.
/// </summary>
public sealed class RetestQueue(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, TimeProvider clock)
{
    /// <summary>The user's retest still waiting for an answer (served, not submitted, skipped or expired), if any.</summary>
    internal static async Task<Retest?> OpenAsync(PortalDbContext db, Guid projectId, Guid userId, DateTime now, CancellationToken ct)
    {
        // Unanswered retests past their time are closed here, so an abandoned one is never served again; the
        // expire-reservations job closes the rest. Read first and write only when there is one to close: an UPDATE takes
        // SQLite's write lock even when it matches nothing, and this runs on every Next.
        var unanswered = db.Retests.Where(r => r.ProjectId == projectId && r.UserId == userId && r.SubmittedAt == null && r.ClosedAt == null);
        var oldest = unanswered.AsNoTracking().OrderBy(r => r.Id);
        var first = await oldest.FirstOrDefaultAsync(ct);
        if (first is null || first.ExpiresAt > now)
        {
            return first;
        }

        await unanswered.Where(r => r.ExpiresAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClosedAt, now).SetProperty(r => r.Version, r => r.Version + 1), ct);
        return await oldest.FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// At the project's retest rate, a new retest of one of the user's own submitted or accepted items old enough
    /// (never a gold task, never one retested before); null when the dice say no or nothing qualifies.
    /// </summary>
    internal static async Task<Retest?> TryCreateAsync(PortalDbContext db, Guid projectId, Guid userId, DateTime now, int reservationMinutes, CancellationToken ct)
    {
        var settings = await db.DriftSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ProjectId == projectId, ct) ?? new DriftSettings { ProjectId = projectId };
        if (!settings.RetestCheck || settings.RetestRatePercent <= 0 || Random.Shared.Next(100) >= settings.RetestRatePercent)
        {
            return null;
        }

        var before = now.AddDays(-settings.RetestMinDays);
        // Oldest first: the longer ago, the less the first answer is remembered. The (project, user, submitted) index
        // gives them in that order, so the search stops at the first one not retested yet; the row and its spans and
        // answers are then read by key (as one query with its includes, the search ran three times, and without the index
        // it sorted all of a person's work: 0.15 s alone, up to 1 s under load at a million tasks).
        var originalId = await db.Annotations
            .Where(a => a.ProjectId == projectId && a.UserId == userId && a.Round == 0
                && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted)
                && a.SubmittedAt != null && a.SubmittedAt <= before
                && !db.Tasks.Any(t => t.Id == a.TaskId && t.IsGold)
                && !db.Retests.Any(r => r.OriginalAnnotationId == a.Id))
            .OrderBy(a => a.SubmittedAt).ThenBy(a => a.Id)
            .Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (originalId is null)
        {
            return null;
        }

        var original = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery().SingleAsync(a => a.Id == originalId, ct);

        var retest = new Retest
        {
            ProjectId = projectId, TaskId = original.TaskId, UserId = userId, OriginalAnnotationId = original.Id,
            OriginalResultJson = (await AnnotationStore.ResultOfAsync(db, original, ct)).ToJson(), OriginalSubmittedAt = original.SubmittedAt!.Value,
            ServedAt = now, ExpiresAt = now.AddMinutes(reservationMinutes),
            // As for annotations, a stored row starts at 1 and the page sees 0 ("nothing saved yet"), like any new task.
            Version = 1,
        };
        db.Retests.Add(retest);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another tab made this retest a moment ago: that tab serves it.
            db.ChangeTracker.Clear();
            return null;
        }

        return retest;
    }

    /// <summary>Saves the retest's draft; returns its new version (as the page counts it). A stale version is a conflict.</summary>
    public async Task<int> SaveDraftAsync(PortalPrincipal user, Guid projectId, long retestId, AnnotationResult result, int expectedVersion, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var retest = await PrepareAsync(db, user, projectId, retestId, result, expectedVersion, requireComplete: false, ct);
        retest.DraftJson = result.ToJson();
        await AnnotationStore.SaveAsync(db, ct);
        return ClientVersion(retest);
    }

    /// <summary>Keeps the answer for the nightly consistency check. Submitting the same answer again is a no-op.</summary>
    public async Task SubmitAsync(PortalPrincipal user, Guid projectId, long retestId, AnnotationResult result, int expectedVersion, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var done = await db.Retests.AsNoTracking().Where(r => r.Id == retestId && r.UserId == user.UserId && r.ProjectId == projectId)
            .Select(r => r.ResultJson).SingleOrDefaultAsync(ct);
        if (done is not null && done == result.ToJson())
        {
            return;
        }

        var retest = await PrepareAsync(db, user, projectId, retestId, result, expectedVersion, requireComplete: true, ct);
        retest.ResultJson = result.ToJson();
        retest.DraftJson = null;
        retest.SubmittedAt = clock.GetUtcNow().UtcDateTime;
        await AnnotationStore.SaveAsync(db, ct);
    }

    /// <summary>Closes the retest unanswered; it is not served again and the nightly check leaves it out.</summary>
    public async Task SkipAsync(PortalPrincipal user, Guid projectId, long retestId, string reason, int expectedVersion, CancellationToken ct)
    {
        LabelingService.RequireSkipReason(reason);
        await using var db = await factory.CreateDbContextAsync(ct);
        var retest = await PrepareAsync(db, user, projectId, retestId, AnnotationResult.Empty, expectedVersion, requireComplete: false, ct);
        retest.ClosedAt = clock.GetUtcNow().UtcDateTime;
        await AnnotationStore.SaveAsync(db, ct);
    }

    /// <summary>The version the page holds: the stored one less one, so a retest looks like a task with nothing saved yet.</summary>
    internal static int ClientVersion(Retest retest) => retest.Version - 1;

    private async Task<Retest> PrepareAsync(
        PortalDbContext db, PortalPrincipal user, Guid projectId, long retestId, AnnotationResult result, int expectedVersion, bool requireComplete, CancellationToken ct)
    {
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        // Someone else's retest is as unknown to this user as a task the queue never gave them.
        var retest = await db.Retests.SingleOrDefaultAsync(r => r.Id == retestId && r.UserId == user.UserId && r.ProjectId == projectId, ct)
            ?? throw new NotFoundException("The task");
        if (retest.SubmittedAt is not null || retest.ClosedAt is not null || retest.ExpiresAt <= clock.GetUtcNow().UtcDateTime)
        {
            throw new ConflictException("Your time on this task ran out or it was already submitted. Go on to the next task.");
        }

        if (ClientVersion(retest) != expectedVersion)
        {
            throw new ConflictException("This task was changed in another tab or window. Reload it to continue from the latest version.");
        }

        var text = await db.Tasks.AsNoTracking().Where(t => t.Id == retest.TaskId).Select(t => t.Text).SingleAsync(ct);
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct)
            ?? throw new InvalidOperationException("The project has no published taxonomy.");
        AnnotationStore.Validate(text, await labelSets.GetAsync(db, versionId, ct), result, requireComplete);
        return retest;
    }
}
