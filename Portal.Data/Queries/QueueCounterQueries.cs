using System.Data;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data.Entities;

namespace Portal.Data.Queries;

/// <summary>One row of queue counters: a project's (no user) or one person's share of it.</summary>
public readonly record struct QueueCounterRow(Guid ProjectId, Guid? UserId, int ReviewRequested, int Adjudication, int Claimable);

/// <summary>
/// What the queue counters (<see cref="ProjectQueueCounter"/>, <see cref="ProjectUserQueueCounter"/>) must equal, counted over
/// annotations and tasks: the nightly check's recount and its repair (docs/decisions/0023-queue-counters.md).
/// </summary>
public static class QueueCounterQueries
{
    /// <summary>Every counter row the triggers keep, as stored; rows of all zeros are left out (a trigger may leave one).</summary>
    public static async Task<IReadOnlyList<QueueCounterRow>> KeptQueueCountersAsync(this PortalDbContext db, CancellationToken ct)
    {
        var projects = await db.ProjectQueueCounters.AsNoTracking()
            .Select(c => new QueueCounterRow(c.ProjectId, null, c.ReviewRequested, c.Adjudication, c.Claimable)).ToListAsync(ct);
        var own = await db.ProjectUserQueueCounters.AsNoTracking()
            .Select(c => new QueueCounterRow(c.ProjectId, c.UserId, c.ReviewRequested, c.Adjudication, c.Claimable)).ToListAsync(ct);
        return [.. projects.Concat(own).Where(r => r is not { ReviewRequested: 0, Adjudication: 0, Claimable: 0 })];
    }

    /// <summary>The same rows counted over annotations and tasks, for every project or for one.</summary>
    public static async Task<IReadOnlyList<QueueCounterRow>> RecountQueueCountersAsync(this PortalDbContext db, Guid? projectId, CancellationToken ct)
    {
        var annotations = db.Annotations.AsNoTracking().Where(a => projectId == null || a.ProjectId == projectId);
        var tasks = db.Tasks.AsNoTracking().Where(t => projectId == null || t.ProjectId == projectId);
        var requested = annotations.Where(a => a.ReviewRequested && a.Status == AnnotationStatus.Submitted);
        var adjudication = tasks.Where(t => t.State == TaskState.Adjudication);
        var claimable = tasks.Published(db).Where(t => t.State == TaskState.Open && t.IsAvailable);

        var rows = new List<QueueCounterRow>();
        rows.AddRange(await requested.GroupBy(a => a.ProjectId)
            .Select(g => new QueueCounterRow(g.Key, null, g.Count(), 0, 0)).ToListAsync(ct));
        rows.AddRange(await adjudication.GroupBy(t => t.ProjectId)
            .Select(g => new QueueCounterRow(g.Key, null, 0, g.Count(), 0)).ToListAsync(ct));
        rows.AddRange(await claimable.GroupBy(t => t.ProjectId)
            .Select(g => new QueueCounterRow(g.Key, null, 0, 0, g.Count())).ToListAsync(ct));
        rows.AddRange(await requested.GroupBy(a => new { a.ProjectId, a.UserId })
            .Select(g => new QueueCounterRow(g.Key.ProjectId, g.Key.UserId, g.Count(), 0, 0)).ToListAsync(ct));
        rows.AddRange(await Annotated(db, adjudication, asAdjudication: true).ToListAsync(ct));
        rows.AddRange(await Annotated(db, claimable, asAdjudication: false).ToListAsync(ct));
        return [.. rows.GroupBy(r => (r.ProjectId, r.UserId))
            .Select(g => new QueueCounterRow(g.Key.ProjectId, g.Key.UserId, g.Sum(r => r.ReviewRequested), g.Sum(r => r.Adjudication), g.Sum(r => r.Claimable)))];
    }

    /// <summary>How many of <paramref name="tasks"/> each person has any annotation on, per project and person.</summary>
    private static IQueryable<QueueCounterRow> Annotated(PortalDbContext db, IQueryable<LabelingTask> tasks, bool asAdjudication) =>
        (from t in tasks
         join a in db.Annotations on t.Id equals a.TaskId
         select new { t.ProjectId, a.UserId, TaskId = t.Id })
        .Distinct()
        .GroupBy(x => new { x.ProjectId, x.UserId })
        .Select(g => new QueueCounterRow(g.Key.ProjectId, g.Key.UserId, 0, asAdjudication ? g.Count() : 0, asAdjudication ? 0 : g.Count()));

    /// <summary>
    /// Replaces a project's counter rows with a recount, in one serializable transaction, so no change slips in between the
    /// count and the write (SQLite takes the write lock at the start; SQL Server holds range locks on what it read).
    /// </summary>
    public static async Task RepairQueueCountersAsync(this PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        var counted = await db.RecountQueueCountersAsync(projectId, ct);
        await db.ProjectQueueCounters.Where(c => c.ProjectId == projectId).ExecuteDeleteAsync(ct);
        await db.ProjectUserQueueCounters.Where(c => c.ProjectId == projectId).ExecuteDeleteAsync(ct);
        foreach (var row in counted)
        {
            if (row.UserId is { } userId)
            {
                db.ProjectUserQueueCounters.Add(new ProjectUserQueueCounter
                {
                    ProjectId = projectId, UserId = userId, ReviewRequested = row.ReviewRequested, Adjudication = row.Adjudication, Claimable = row.Claimable,
                });
            }
            else
            {
                db.ProjectQueueCounters.Add(new ProjectQueueCounter
                {
                    ProjectId = projectId, ReviewRequested = row.ReviewRequested, Adjudication = row.Adjudication, Claimable = row.Claimable,
                });
            }
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }
}
