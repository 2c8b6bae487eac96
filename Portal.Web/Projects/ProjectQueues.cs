using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Projects;

/// <summary>What waits for a project's QA leads: the one count behind the Home cards, the navigation and the Overview.</summary>
public sealed record ProjectQueues(int ToReview, int ToAdjudicate, int ToAudit, int OnHold, int OpenFindings, int OpenRelabels)
{
    public static readonly ProjectQueues None = new(0, 0, 0, 0, 0, 0);
}

/// <summary>What waits for one annotator in a project: tasks they can still label, relabel requests and a blind retest served to them.</summary>
public sealed record MyWork(int ToLabel, int Relabels, int Retests);

/// <summary>The count queries, in one place so every page that shows a queue shows the same number.</summary>
internal static class QueueCounts
{
    /// <summary>
    /// Queues per project for a QA lead. Their own submissions are not theirs to review, and tasks they annotated are not
    /// theirs to adjudicate, so those are left out of their counts.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, ProjectQueues>> ForReviewerAsync(
        PortalDbContext db, Guid userId, IReadOnlyCollection<Guid> projectIds, CancellationToken ct)
    {
        if (projectIds.Count == 0)
        {
            return new Dictionary<Guid, ProjectQueues>();
        }

        var requested = true;
        var toReview = await db.Annotations.AsNoTracking()
            .Where(a => projectIds.Contains(a.ProjectId) && a.ReviewRequested == requested && a.Status == AnnotationStatus.Submitted && a.UserId != userId)
            .GroupBy(a => a.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var adjudication = TaskState.Adjudication;
        var toAdjudicate = await db.Tasks.AsNoTracking()
            .Where(t => projectIds.Contains(t.ProjectId) && t.State == adjudication && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == userId))
            .GroupBy(t => t.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var waiting = AuditOutcome.Waiting;
        var toAudit = await db.AuditSamples.AsNoTracking()
            .Where(s => projectIds.Contains(s.ProjectId) && s.Outcome == waiting)
            .GroupBy(s => s.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var free = AnnotatorHold.None;
        var onHold = await db.ProjectMembers.AsNoTracking()
            .Where(m => projectIds.Contains(m.ProjectId) && m.Hold != free)
            .GroupBy(m => m.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var findings = await db.DriftFindings.AsNoTracking()
            .Where(f => projectIds.Contains(f.ProjectId) && (f.State == DriftFindingState.Open || f.State == DriftFindingState.Acknowledged))
            .GroupBy(f => f.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var relabels = await db.RelabelItems.AsNoTracking()
            .Where(r => projectIds.Contains(r.ProjectId) && r.ResolvedAt == null)
            .GroupBy(r => r.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

        return projectIds.ToDictionary(id => id, id => new ProjectQueues(
            toReview.GetValueOrDefault(id), toAdjudicate.GetValueOrDefault(id), toAudit.GetValueOrDefault(id),
            onHold.GetValueOrDefault(id), findings.GetValueOrDefault(id), relabels.GetValueOrDefault(id)));
    }

    /// <summary>An annotator's own work waiting in one project.</summary>
    public static async Task<MyWork> ForAnnotatorAsync(PortalDbContext db, Guid userId, Guid projectId, CancellationToken ct)
    {
        // Claimable open tasks they have not answered yet: the tasks the queue can still hand them.
        var toLabel = await db.Tasks.AsNoTracking().Published(db)
            .Where(t => t.ProjectId == projectId && t.State == TaskState.Open && t.IsAvailable && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == userId))
            .CountAsync(ct);
        var relabels = await db.RelabelItems.AsNoTracking().CountAsync(r => r.ProjectId == projectId && r.AssignedToUserId == userId && r.ResolvedAt == null, ct);
        var retests = await db.Retests.AsNoTracking().CountAsync(r => r.ProjectId == projectId && r.UserId == userId && r.SubmittedAt == null && r.ClosedAt == null, ct);
        return new MyWork(toLabel, relabels, retests);
    }
}
