using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.ImportExport;

/// <summary>
/// An import's staged tasks (unavailable, tied to the job by <c>ImportJobId</c>, with their predictions, truths and
/// annotations): published when the job commits, discarded when it fails, is cancelled or starts again. Both walk the
/// job's id range in short statements, so no other write waits more than a moment behind them.
/// </summary>
internal static class ImportStaging
{
    /// <summary>Tasks per statement: a few milliseconds of write lock on SQLite, even with the annotations a delete cascades to.</summary>
    public const int Batch = 1000;

    /// <summary>Makes the job's tasks available that still want annotations; safe to repeat (a resumed commit).</summary>
    public static Task PublishAsync(PortalDbContext db, Guid jobId, CancellationToken ct) =>
        ForEachRangeAsync(db, jobId, (from, to) => db.Tasks
            .Where(t => t.Id >= from && t.Id < to && t.ImportJobId == jobId && !t.IsAvailable && t.AssignedCount < t.TargetAnnotations)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.IsAvailable, true), ct), ct);

    /// <summary>Deletes the job's tasks and, by cascade, every row imported with them. Only for a job that never published.</summary>
    public static Task DiscardAsync(PortalDbContext db, Guid jobId, CancellationToken ct) =>
        ForEachRangeAsync(db, jobId, (from, to) => db.Tasks.Where(t => t.Id >= from && t.Id < to && t.ImportJobId == jobId).ExecuteDeleteAsync(ct), ct);

    private static async Task ForEachRangeAsync(PortalDbContext db, Guid jobId, Func<long, long, Task<int>> statement, CancellationToken ct)
    {
        // Task ids are ascending, so the job's tasks lie between these two, interleaved at most with tasks created meanwhile.
        var range = await db.Tasks.Where(t => t.ImportJobId == jobId).GroupBy(t => t.ImportJobId)
            .Select(g => new { First = g.Min(t => t.Id), Last = g.Max(t => t.Id) }).SingleOrDefaultAsync(ct);
        for (var from = range?.First ?? 1; range is not null && from <= range.Last; from += Batch)
        {
            await statement(from, from + Batch);
            await SqliteWriters.YieldAsync(db, ct);
        }
    }
}
