using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.Common;

/// <summary>
/// The review and adjudication queues a QA lead sees, from the counters the database keeps
/// (docs/decisions/0023-queue-counters.md): each project's queue minus the viewer's own share (their own submissions are
/// not theirs to review, tasks they annotated not theirs to adjudicate). The Home cards and the review pages read these.
/// </summary>
internal static class ReviewQueueCounts
{
    public static async Task<IReadOnlyDictionary<Guid, (int ToReview, int ToAdjudicate)>> ForReviewerAsync(
        PortalDbContext db, Guid userId, IReadOnlyCollection<Guid> projectIds, CancellationToken ct)
    {
        var queues = await db.ProjectQueueCounters.AsNoTracking().Where(c => projectIds.Contains(c.ProjectId))
            .ToDictionaryAsync(c => c.ProjectId, c => (c.ReviewRequested, c.Adjudication), ct);
        var own = await db.ProjectUserQueueCounters.AsNoTracking().Where(c => c.UserId == userId && projectIds.Contains(c.ProjectId))
            .ToDictionaryAsync(c => c.ProjectId, c => (c.ReviewRequested, c.Adjudication), ct);
        return projectIds.ToDictionary(id => id, id => (
            queues.GetValueOrDefault(id).ReviewRequested - own.GetValueOrDefault(id).ReviewRequested,
            queues.GetValueOrDefault(id).Adjudication - own.GetValueOrDefault(id).Adjudication));
    }

    public static async Task<(int ToReview, int ToAdjudicate)> ForReviewerAsync(PortalDbContext db, Guid userId, Guid projectId, CancellationToken ct) =>
        (await ForReviewerAsync(db, userId, [projectId], ct))[projectId];
}
