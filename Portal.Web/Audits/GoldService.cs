using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Taxonomy;

namespace Portal.Web.Audits;

/// <summary>
/// Gold tasks: a manager or QA lead marks tasks whose ground truth is trusted; every later submission on them is scored
/// at once against that answer and stored. Annotators are never told which tasks are gold.
/// </summary>
public sealed class GoldService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, AuditLog audit, TimeProvider clock)
{
    /// <summary>
    /// Makes the tasks gold with their current ground truth as the expected answer (marking again takes the ground truth
    /// anew). Tasks without ground truth are refused by id, and then nothing is marked.
    /// </summary>
    public async Task<int> MarkAsync(PortalPrincipal user, Guid projectId, IReadOnlyCollection<long> taskIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var tasks = await db.Tasks.Where(t => t.ProjectId == projectId && taskIds.Contains(t.Id)).ToListAsync(ct);
        var missing = taskIds.Except(tasks.Select(t => t.Id)).ToList();
        if (missing.Count > 0)
        {
            throw new NotFoundException($"Task {string.Join(", ", missing)}");
        }

        var truths = await db.GroundTruths.AsNoTracking().Where(g => taskIds.Contains(g.TaskId)).ToDictionaryAsync(g => g.TaskId, ct);
        var withoutTruth = tasks.Where(t => !truths.ContainsKey(t.Id)).Select(t => t.Id).ToList();
        if (withoutTruth.Count > 0)
        {
            throw new ValidationException("Tasks",
                $"Only tasks with a ground truth can be gold; these have none yet: {string.Join(", ", withoutTruth)}. Adjudicate or wait for consensus first.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var answers = await db.GoldAnswers.Where(g => taskIds.Contains(g.TaskId)).ToDictionaryAsync(g => g.TaskId, ct);
        foreach (var task in tasks)
        {
            var truth = truths[task.Id];
            if (!answers.TryGetValue(task.Id, out var answer))
            {
                db.GoldAnswers.Add(answer = new GoldAnswer { TaskId = task.Id, ProjectId = projectId, ResultJson = truth.ResultJson });
            }

            answer.ResultJson = truth.ResultJson;
            answer.TaxonomyVersionId = truth.TaxonomyVersionId;
            answer.MarkedById = user.UserId;
            answer.MarkedAt = now;
            task.IsGold = true;
        }

        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(user.UserId, user.DisplayName, "gold.mark", "task", string.Join(",", tasks.Select(t => t.Id)), projectId,
            $"{tasks.Count} task(s) marked as gold from their ground truth", ct);
        return tasks.Count;
    }

    /// <summary>
    /// Scores a submitted annotation when its task is gold (one indexed look-up when it is not): the gold answer and the work
    /// are both read through the label migration map to the current label set, so work under another version compares fairly.
    /// </summary>
    public async Task<GoldScore?> ScoreAsync(long taskId, long annotationId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var gold = await db.GoldAnswers.AsNoTracking().SingleOrDefaultAsync(g => g.TaskId == taskId, ct);
        if (gold is null)
        {
            return null;
        }

        var work = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
            .SingleAsync(a => a.Id == annotationId && a.TaskId == taskId, ct);

        var toCurrent = await TaxonomyMaps.ToCurrentAsync(db, work.ProjectId, [work.TaxonomyVersionId, gold.TaxonomyVersionId], ct);
        var currentVersion = await db.Taxonomies.Where(t => t.ProjectId == work.ProjectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? work.TaxonomyVersionId;
        var questions = (await labelSets.GetAsync(db, currentVersion, ct)).Select(c => (c.Name, c.Kind == ControlKind.Spans)).ToList();
        var textLength = await db.Tasks.Where(t => t.Id == work.TaskId).Select(t => t.Text.Length).SingleAsync(ct);
        var score = GoldScoring.Score(
            ToCurrent(AnnotationResult.FromJson(gold.ResultJson), toCurrent(gold.TaxonomyVersionId)),
            ToCurrent(AnnotationStore.ResultOf(work), toCurrent(work.TaxonomyVersionId)), questions, textLength);

        var entry = await db.GoldScores.SingleOrDefaultAsync(g => g.AnnotationId == annotationId, ct);
        if (entry is null)
        {
            db.GoldScores.Add(entry = new GoldScoreEntry { AnnotationId = annotationId, TaskId = work.TaskId, ProjectId = work.ProjectId, UserId = work.UserId, PerLabelJson = "{}" });
        }

        entry.Score = score.Score;
        entry.SpanF1Exact = score.SpanF1Exact;
        entry.SpanF1Overlap = score.SpanF1Overlap;
        entry.ChoiceAccuracy = score.ChoiceAccuracy;
        entry.PerLabelJson = JsonSerializer.Serialize(score.PerLabel);
        entry.ScoredAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return score;
    }

    /// <summary>A result with every label read through the map to the current label set (scorecards compare the same way).</summary>
    internal static AnnotationResult ToCurrent(AnnotationResult result, LabelMigrationMap map) => new(
        [.. result.Spans.Select(s => s with { Label = map.Resolve(s.Label).Key })],
        [.. result.Answers.Select(a => a with { Label = map.Resolve(a.Label).Key })]);
}
