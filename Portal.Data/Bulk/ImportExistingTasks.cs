using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;

namespace Portal.Data.Bulk;

/// <summary>
/// A re-import's reads and writes on tasks the project already has: what they hold (to add only what is new) and
/// their counters once annotations are added. Runs in the import's batch transaction.
/// </summary>
public static class ImportExistingTasks
{
    /// <summary>The tasks' annotations (any status: a person with a draft has the task), ground truth and predictions, by task id.</summary>
    public static async Task<Dictionary<long, ExistingTask>> LoadAsync(PortalDbContext db, IReadOnlyCollection<long> taskIds, CancellationToken ct)
    {
        var ids = taskIds.Distinct().ToList();
        var tasks = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.Id)).Select(t => new { t.Id, Deleted = t.DeletedAt != null, t.IsGold }).ToListAsync(ct);
        var annotations = db.Annotations.AsNoTracking().Where(a => ids.Contains(a.TaskId));
        var rows = await annotations.Select(a => new { a.Id, a.TaskId, a.UserId, a.LabelStudioJson }).ToListAsync(ct);
        var spans = (await (from a in annotations join s in db.AnnotationSpans on a.Id equals s.AnnotationId select new { s.AnnotationId, s.ControlName, s.LabelKey, s.Start, s.End })
            .ToListAsync(ct)).ToLookup(s => s.AnnotationId, s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End));
        var answers = (await (from a in annotations join x in db.AnnotationAnswers on a.Id equals x.AnnotationId select new { x.AnnotationId, x.ControlName, x.LabelKey })
            .ToListAsync(ct)).ToLookup(x => x.AnnotationId, x => new AnswerValue(x.ControlName, x.LabelKey));
        var byTask = rows.ToLookup(a => a.TaskId, a => new ExistingAnnotation(
            a.UserId, ExistingTaskMerge.LabelStudioId(a.LabelStudioJson), new AnnotationResult([.. spans[a.Id]], [.. answers[a.Id]]).ToJson()));
        var truths = (await db.GroundTruths.AsNoTracking().Where(g => ids.Contains(g.TaskId)).Select(g => new { g.TaskId, g.ResultJson, g.LabelStudioJson }).ToListAsync(ct))
            .ToDictionary(g => g.TaskId);
        var predictions = (await db.Predictions.AsNoTracking().Where(p => ids.Contains(p.TaskId)).Select(p => new { p.TaskId, p.ModelVersion, p.ResultJson, p.LabelStudioJson }).ToListAsync(ct))
            .ToLookup(p => p.TaskId, p => new ExistingPrediction(p.ModelVersion, ExistingTaskMerge.LabelStudioId(p.LabelStudioJson), AnnotationResult.FromJson(p.ResultJson).ToJson()));
        return tasks.ToDictionary(t => t.Id, t => new ExistingTask(
            t.Id, t.Deleted, t.IsGold, [.. byTask[t.Id]],
            truths.TryGetValue(t.Id, out var truth) ? AnnotationResult.FromJson(truth.ResultJson).ToJson() : null,
            truths.TryGetValue(t.Id, out var source) ? ExistingTaskMerge.LabelStudioId(source.LabelStudioJson) : null,
            [.. predictions[t.Id]]));
    }

    /// <summary>
    /// Counts <paramref name="added"/> submitted annotations on the task as the import does for a new one: submitted and
    /// assigned, the target raised to what it holds, and no longer served once full (never made available by this).
    /// The counter triggers see the change like any other.
    /// </summary>
    public static Task AddedAsync(PortalDbContext db, long taskId, int added, CancellationToken ct) =>
        db.Tasks.Where(t => t.Id == taskId).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.SubmittedCount, t => t.SubmittedCount + added)
            .SetProperty(t => t.AssignedCount, t => t.AssignedCount + added)
            .SetProperty(t => t.TargetAnnotations, t => t.TargetAnnotations > t.SubmittedCount + added ? t.TargetAnnotations : t.SubmittedCount + added)
            .SetProperty(t => t.IsAvailable, t => t.IsAvailable && t.AssignedCount + added < (t.TargetAnnotations > t.SubmittedCount + added ? t.TargetAnnotations : t.SubmittedCount + added))
            .SetProperty(t => t.Version, t => t.Version + 1), ct);
}
