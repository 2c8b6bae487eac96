using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Data.Entities;

namespace Portal.Data.Queries;

public readonly record struct TaskProgress(int Total, int Completed);

/// <summary>Queries over tasks that more than one feature reads, so every page counts the same way.</summary>
public static class TaskQueries
{
    /// <summary>
    /// A task is complete when it has all its annotations, or has moved on (review, adjudication, done). A gold task has its
    /// answer already; it stays open only so that every annotator meets it once, so it never holds progress back.
    /// </summary>
    public static readonly Expression<Func<LabelingTask, bool>> IsComplete =
        t => t.IsGold || t.State != TaskState.Open || t.SubmittedCount >= t.TargetAnnotations;

    /// <summary>
    /// The tasks people work with: without those an import has staged and not yet published (its job not Succeeded),
    /// which it may still discard, and without deleted ones. The queue needs no filter (staged and deleted tasks are
    /// unavailable); counts, the consensus sweep and exports do.
    /// </summary>
    public static IQueryable<LabelingTask> Published(this IQueryable<LabelingTask> tasks, PortalDbContext db) =>
        tasks.Where(IsPublished(db));

    /// <summary>The rule behind <see cref="Published"/> as an expression, for places EF cannot expand a method call (an update's subqueries).</summary>
    public static Expression<Func<LabelingTask, bool>> IsPublished(PortalDbContext db) =>
        t => t.DeletedAt == null && (t.ImportJobId == null || db.DataJobs.Any(j => j.Id == t.ImportJobId && j.State == RunState.Succeeded));

    /// <summary>
    /// Total and completed tasks per project (projects without tasks are absent), read from the counters the database
    /// keeps (<see cref="ProjectTaskCounter"/>): no count over the tasks while a person waits.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, TaskProgress>> ProgressAsync(this PortalDbContext db, IReadOnlyCollection<Guid> projectIds, CancellationToken ct) =>
        await db.ProjectTaskCounters.AsNoTracking().Where(c => projectIds.Contains(c.ProjectId) && c.Total > 0)
            .ToDictionaryAsync(c => c.ProjectId, c => new TaskProgress(c.Total, c.Completed), ct);

    /// <summary>The same figures counted over the tasks, for every project: what the counters must equal (the nightly check).</summary>
    public static async Task<IReadOnlyDictionary<Guid, TaskProgress>> RecountProgressAsync(this PortalDbContext db, CancellationToken ct)
    {
        var tasks = db.Tasks.AsNoTracking().Published(db);
        var totals = await tasks.GroupBy(t => t.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var completed = await tasks.Where(IsComplete).GroupBy(t => t.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return totals.ToDictionary(kv => kv.Key, kv => new TaskProgress(kv.Value, completed.GetValueOrDefault(kv.Key)));
    }

    /// <summary>
    /// Sets a project's counters to a recount, in one statement (so no change slips in between the count and the write);
    /// adds the row first when it is missing.
    /// </summary>
    public static async Task RepairCountersAsync(this PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        if (!await db.ProjectTaskCounters.AnyAsync(c => c.ProjectId == projectId, ct))
        {
            // Created empty: a trigger may add to it from here on, and the statement below sets it either way.
            db.ProjectTaskCounters.Add(new ProjectTaskCounter { ProjectId = projectId });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // A trigger created it meanwhile.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        var published = IsPublished(db);
        var complete = IsComplete;
        await db.ProjectTaskCounters.Where(c => c.ProjectId == projectId).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Total, c => db.Tasks.Where(t => t.ProjectId == projectId).Where(published).Count())
            .SetProperty(c => c.Completed, c => db.Tasks.Where(t => t.ProjectId == projectId).Where(published).Where(complete).Count()), ct);
    }
}
