using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Labeling;

/// <summary>What a relabel did: whether the answer changed, how far it agrees with the one before, and whether the task has ground truth.</summary>
internal sealed record RelabelOutcome(bool Changed, double Agreement, bool HasGroundTruth);

/// <summary>
/// Relabel tasks (<see cref="RelabelItem"/>) in the annotator's queue: made by a taxonomy change or a drift finding,
/// assigned to the original annotator or to another one, served with their reason, resolved by the submit that relabels.
/// </summary>
internal static class RelabelQueue
{
    /// <summary>The task of the user's oldest open relabel item they can still work on (not one they skipped); 0 when none.</summary>
    public static Task<long> NextTaskAsync(PortalDbContext db, Guid projectId, Guid userId, CancellationToken ct) =>
        db.RelabelItems.AsNoTracking()
            .Where(r => r.AssignedToUserId == userId && r.ResolvedAt == null && r.ProjectId == projectId
                && db.Tasks.Any(t => t.Id == r.TaskId && t.DeletedAt == null)
                && !db.Annotations.Any(a => a.TaskId == r.TaskId && a.UserId == userId && a.Round == 0 && a.Status == AnnotationStatus.Skipped))
            .OrderBy(r => r.Id).Select(r => r.TaskId).FirstOrDefaultAsync(ct);

    /// <summary>The relabel asked of the user on this task, for the banner; null when there is none open.</summary>
    public static Task<RelabelRequest?> RequestAsync(PortalDbContext db, long taskId, Guid userId, CancellationToken ct) =>
        Open(db, taskId, userId).OrderBy(r => r.Id).Select(r => new RelabelRequest(r.Id, r.Reason, r.Context)).FirstOrDefaultAsync(ct);

    public static Task<bool> AnyOpenAsync(PortalDbContext db, long taskId, Guid userId, CancellationToken ct) => Open(db, taskId, userId).AnyAsync(ct);

    /// <summary>The open items a submit of this user on this task resolves (tracked, to be resolved).</summary>
    public static Task<List<RelabelItem>> OpenItemsAsync(PortalDbContext db, Guid projectId, long taskId, Guid userId, CancellationToken ct) =>
        Open(db, taskId, userId).Where(r => r.ProjectId == projectId).OrderBy(r => r.Id).ToListAsync(ct);

    private static IQueryable<RelabelItem> Open(PortalDbContext db, long taskId, Guid userId) =>
        db.RelabelItems.Where(r => r.TaskId == taskId && r.AssignedToUserId == userId && r.ResolvedAt == null);

    /// <summary>
    /// Compares the relabel with the answer the items were made from: their snapshot; without one, the annotation they
    /// name (another annotator's work) or else <paramref name="current"/>, the user's own annotation before this submit.
    /// </summary>
    public static async Task<RelabelOutcome> CompareAsync(
        PortalDbContext db, IReadOnlyList<RelabelItem> items, Annotation annotation, AnnotationResult relabeled, CancellationToken ct)
    {
        var taskId = annotation.TaskId;
        var previous = items.Select(i => i.PreviousResultJson).FirstOrDefault(j => j is not null) is { } json ? AnnotationResult.FromJson(json)
            : items.Select(i => i.AnnotationId).FirstOrDefault(id => id is not null && id != annotation.Id) is { } otherId
                ? await AnnotationStore.ResultOfAsync(db, await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).SingleAsync(a => a.Id == otherId, ct), ct)
                : await AnnotationStore.ResultOfAsync(db, annotation, ct);
        var textLength = await db.Tasks.Where(t => t.Id == taskId).Select(t => t.Text.Length).SingleAsync(ct);
        var hasTruth = await db.GroundTruths.AnyAsync(g => g.TaskId == taskId, ct);
        return new RelabelOutcome(previous.ToJson() != relabeled.ToJson(), SelfAgreement.Pair(new AnswerPair(previous, relabeled, textLength)), hasTruth);
    }

    /// <summary>Marks the items done with the outcome; the annotation is recorded on an item when it is not the one the item was made for.</summary>
    public static void Resolve(IEnumerable<RelabelItem> items, long annotationId, RelabelOutcome outcome, DateTime now)
    {
        foreach (var item in items)
        {
            item.ResolvedAt = now;
            item.Agreement = outcome.Agreement;
            item.Changed = outcome.Changed;
            if (item.AnnotationId != annotationId)
            {
                item.RelabelAnnotationId = annotationId;
            }
        }
    }
}
