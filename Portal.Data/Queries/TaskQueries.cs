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
        tasks.Where(t => t.DeletedAt == null && (t.ImportJobId == null || db.DataJobs.Any(j => j.Id == t.ImportJobId && j.State == RunState.Succeeded)));

    /// <summary>Total and completed tasks per project (projects without tasks are absent).</summary>
    public static async Task<IReadOnlyDictionary<Guid, TaskProgress>> ProgressAsync(this PortalDbContext db, IReadOnlyCollection<Guid> projectIds, CancellationToken ct)
    {
        var tasks = db.Tasks.AsNoTracking().Where(t => projectIds.Contains(t.ProjectId)).Published(db);
        var totals = await tasks.GroupBy(t => t.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var completed = await tasks.Where(IsComplete).GroupBy(t => t.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return totals.ToDictionary(kv => kv.Key, kv => new TaskProgress(kv.Value, completed.GetValueOrDefault(kv.Key)));
    }
}
