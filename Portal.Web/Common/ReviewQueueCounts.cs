using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.Common;

/// <summary>
/// The review and adjudication queues of one project for one QA lead, from the counters the database keeps
/// (docs/decisions/0023-queue-counters.md): the project's queue minus the viewer's own share, as the Home cards count them
/// (Projects' QueueCounts), for the review and adjudication pages.
/// </summary>
internal static class ReviewQueueCounts
{
    public static async Task<(int ToReview, int ToAdjudicate)> ForReviewerAsync(PortalDbContext db, Guid userId, Guid projectId, CancellationToken ct)
    {
        var queue = await db.ProjectQueueCounters.AsNoTracking().Where(c => c.ProjectId == projectId)
            .Select(c => new { c.ReviewRequested, c.Adjudication }).SingleOrDefaultAsync(ct);
        var own = await db.ProjectUserQueueCounters.AsNoTracking().Where(c => c.ProjectId == projectId && c.UserId == userId)
            .Select(c => new { c.ReviewRequested, c.Adjudication }).SingleOrDefaultAsync(ct);
        return ((queue?.ReviewRequested ?? 0) - (own?.ReviewRequested ?? 0), (queue?.Adjudication ?? 0) - (own?.Adjudication ?? 0));
    }
}
