using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data;

namespace Portal.Web.Drift;

/// <summary>A finding whose relabel tasks are all done is resolved: the drift it showed was relabeled away.</summary>
public static class RelabelCompletion
{
    /// <summary>
    /// Resolves each of <paramref name="findingIds"/> that is still open or acknowledged and has no open relabel item
    /// left. Runs in the caller's transaction, after the items it resolved are saved; returns how many it resolved.
    /// A dismissed or already resolved finding keeps its state.
    /// </summary>
    public static async Task<int> ResolveFindingsAsync(PortalDbContext db, IEnumerable<long> findingIds, DateTime now, CancellationToken ct)
    {
        var ids = findingIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        return await db.DriftFindings
            .Where(f => ids.Contains(f.Id) && (f.State == DriftFindingState.Open || f.State == DriftFindingState.Acknowledged)
                && !db.RelabelItems.Any(r => r.DriftFindingId == f.Id && r.ResolvedAt == null))
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.State, DriftFindingState.Resolved)
                .SetProperty(f => f.StateChangedAt, now)
                .SetProperty(f => f.StateChangedById, (Guid?)null)
                .SetProperty(f => f.Version, f => f.Version + 1), ct);
    }
}
