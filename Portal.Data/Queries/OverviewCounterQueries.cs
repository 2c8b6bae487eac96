using System.Data;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data.Entities;

namespace Portal.Data.Queries;

/// <summary>Published tasks of a project with <paramref name="Submitted"/> answers, and the complete ones among them.</summary>
public readonly record struct OverlapCounterRow(Guid ProjectId, int Submitted, int Tasks, int Completed);

/// <summary>A project's annotations submitted (not skipped) on <paramref name="Day"/> (UTC).</summary>
public readonly record struct DayCounterRow(Guid ProjectId, DateOnly Day, int Submitted);

/// <summary>
/// The Overview's counters (<see cref="ProjectOverlapCounter"/>, <see cref="ProjectDayCounter"/>) read as the page reads them,
/// and what they must equal, counted over tasks and annotations: the nightly check's recount and its repair
/// (docs/decisions/0025-overview-counters.md).
/// </summary>
public static class OverviewCounterQueries
{
    /// <summary>A project's overlap buckets, or every project's; empty buckets (a trigger may leave one) are left out.</summary>
    public static async Task<IReadOnlyList<OverlapCounterRow>> OverlapAsync(this PortalDbContext db, Guid? projectId, CancellationToken ct) =>
        await db.ProjectOverlapCounters.AsNoTracking().Where(c => (projectId == null || c.ProjectId == projectId) && (c.Tasks != 0 || c.Completed != 0))
            .Select(c => new OverlapCounterRow(c.ProjectId, c.Submitted, c.Tasks, c.Completed)).ToListAsync(ct);

    /// <summary>The same buckets counted over the published tasks (<see cref="TaskQueries.Published"/>).</summary>
    public static async Task<IReadOnlyList<OverlapCounterRow>> RecountOverlapAsync(this PortalDbContext db, Guid? projectId, CancellationToken ct)
    {
        var tasks = db.Tasks.AsNoTracking().Where(t => projectId == null || t.ProjectId == projectId).Published(db);
        var all = await tasks.GroupBy(t => new { t.ProjectId, t.SubmittedCount })
            .Select(g => new { g.Key.ProjectId, g.Key.SubmittedCount, Count = g.Count() }).ToListAsync(ct);
        var complete = await tasks.Where(TaskQueries.IsComplete).GroupBy(t => new { t.ProjectId, t.SubmittedCount })
            .Select(g => new { g.Key.ProjectId, g.Key.SubmittedCount, Count = g.Count() }).ToDictionaryAsync(x => (x.ProjectId, x.SubmittedCount), x => x.Count, ct);
        return [.. all.Select(x => new OverlapCounterRow(x.ProjectId, x.SubmittedCount, x.Count, complete.GetValueOrDefault((x.ProjectId, x.SubmittedCount))))];
    }

    /// <summary>A project's submitted annotations per day from <paramref name="from"/> on, or every project's on every day; empty days left out.</summary>
    public static async Task<IReadOnlyList<DayCounterRow>> DaysAsync(this PortalDbContext db, Guid? projectId, DateOnly? from, CancellationToken ct) =>
        await db.ProjectDayCounters.AsNoTracking()
            .Where(c => (projectId == null || c.ProjectId == projectId) && (from == null || c.Day >= from) && c.Submitted != 0)
            .Select(c => new DayCounterRow(c.ProjectId, c.Day, c.Submitted)).ToListAsync(ct);

    /// <summary>The same days counted over the annotations: submitted, not skipped, on the day of their latest submit.</summary>
    public static async Task<IReadOnlyList<DayCounterRow>> RecountDaysAsync(this PortalDbContext db, Guid? projectId, DateOnly? from, CancellationToken ct)
    {
        var since = from?.ToDateTime(TimeOnly.MinValue);
        var skipped = AnnotationStatus.Skipped;
        var perDay = await db.Annotations.AsNoTracking()
            .Where(a => (projectId == null || a.ProjectId == projectId) && a.SubmittedAt != null && (since == null || a.SubmittedAt >= since) && a.Status != skipped)
            .GroupBy(a => new { a.ProjectId, a.SubmittedAt!.Value.Date })
            .Select(g => new { g.Key.ProjectId, g.Key.Date, Count = g.Count() })
            .ToListAsync(ct);
        return [.. perDay.Select(x => new DayCounterRow(x.ProjectId, DateOnly.FromDateTime(x.Date), x.Count))];
    }

    /// <summary>
    /// Replaces a project's Overview counters with a recount, in one serializable transaction, so no change slips in between
    /// the count and the write (SQLite takes the write lock at the start; SQL Server holds range locks on what it read).
    /// </summary>
    public static async Task RepairOverviewCountersAsync(this PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        var buckets = await db.RecountOverlapAsync(projectId, ct);
        var days = await db.RecountDaysAsync(projectId, null, ct);
        await db.ProjectOverlapCounters.Where(c => c.ProjectId == projectId).ExecuteDeleteAsync(ct);
        await db.ProjectDayCounters.Where(c => c.ProjectId == projectId).ExecuteDeleteAsync(ct);
        db.ProjectOverlapCounters.AddRange(buckets.Select(b => new ProjectOverlapCounter { ProjectId = projectId, Submitted = b.Submitted, Tasks = b.Tasks, Completed = b.Completed }));
        db.ProjectDayCounters.AddRange(days.Select(d => new ProjectDayCounter { ProjectId = projectId, Day = d.Day, Submitted = d.Submitted }));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }
}
