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

        // The review and adjudication queues from the counters the database keeps (docs/decisions/0023-queue-counters.md).
        var queues = await ReviewQueueCounts.ForReviewerAsync(db, userId, projectIds, ct);
        // The small tables stay counted, each through its (ProjectId, ...) index: in SQLite 5,000 waiting audit samples
        // count in 2 ms and 100,000 open relabel items (a taxonomy split) in 10 ms (docs/decisions/0023-queue-counters.md).
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
            queues[id].ToReview, queues[id].ToAdjudicate, toAudit.GetValueOrDefault(id),
            onHold.GetValueOrDefault(id), findings.GetValueOrDefault(id), relabels.GetValueOrDefault(id)));
    }

    /// <summary>An annotator's own work waiting in one project.</summary>
    public static async Task<MyWork> ForAnnotatorAsync(PortalDbContext db, Guid userId, Guid projectId, CancellationToken ct)
    {
        // Claimable open tasks they have not answered yet (a draft counts as answered): the tasks the queue can still hand
        // them, from the counters the database keeps (docs/decisions/0023-queue-counters.md).
        var claimable = await db.ProjectQueueCounters.AsNoTracking().Where(c => c.ProjectId == projectId).Select(c => c.Claimable).SingleOrDefaultAsync(ct);
        var answered = await db.ProjectUserQueueCounters.AsNoTracking().Where(c => c.ProjectId == projectId && c.UserId == userId)
            .Select(c => c.Claimable).SingleOrDefaultAsync(ct);
        var toLabel = claimable - answered;
        var relabels = await db.RelabelItems.AsNoTracking().CountAsync(r => r.ProjectId == projectId && r.AssignedToUserId == userId && r.ResolvedAt == null, ct);
        var retests = await db.Retests.AsNoTracking().CountAsync(r => r.ProjectId == projectId && r.UserId == userId && r.SubmittedAt == null && r.ClosedAt == null, ct);
        return new MyWork(toLabel, relabels, retests);
    }
}
