using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Review;
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
public sealed class GoldService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, AuditLog audit, QualityHoldService holds, TimeProvider clock)
{
    /// <summary>How many gold tasks the gold page lists (newest marked first).</summary>
    public const int ListedTasks = 500;

    /// <summary>
    /// Makes the tasks gold with their current ground truth as the expected answer (marking again takes the ground truth
    /// anew). Tasks without ground truth are refused by id, and then nothing is marked.
    /// </summary>
    public async Task<int> MarkAsync(PortalPrincipal user, Guid projectId, IReadOnlyCollection<long> taskIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var tasks = await TasksAsync(db, projectId, taskIds, ct);
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
            task.TargetAnnotations = GoldTasks.Target;
            task.IsAvailable = task.DeletedAt == null;
            db.TaskEvents.Add(new TaskEvent
            {
                ProjectId = projectId, TaskId = task.Id, At = now, Kind = TaskEventKind.MarkedGold, ActorId = user.UserId,
                Detail = $"Marked as gold by {user.DisplayName}: its ground truth is the expected answer every annotator is scored against.",
            });
        }

        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(user.UserId, user.DisplayName, "gold.mark", "task", string.Join(",", tasks.Select(t => t.Id)), projectId,
            $"{tasks.Count} task(s) marked as gold from their ground truth", ct);
        return tasks.Count;
    }

    /// <summary>
    /// Marks the pasted tasks (task ids or external ids, one per line or comma separated). Every entry that is not a task
    /// of the project, or has no ground truth, is listed with its line; then nothing is marked.
    /// </summary>
    public async Task<int> MarkAsync(PortalPrincipal user, Guid projectId, string pasted, CancellationToken ct)
    {
        var ids = await ResolveAsync(user, projectId, pasted, requireTruth: true, ct);
        return await MarkAsync(user, projectId, ids, ct);
    }

    /// <summary>
    /// Stops using the tasks as gold: the gold answer goes (scores already given stay), and the task's overlap is the
    /// project's again, so it is served only while it has fewer annotators than that.
    /// </summary>
    public async Task<int> UnmarkAsync(PortalPrincipal user, Guid projectId, IReadOnlyCollection<long> taskIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => new { p.AnnotatorsPerTask, p.CoveragePercent }).SingleAsync(ct);
        var tasks = await TasksAsync(db, projectId, taskIds, ct);
        foreach (var task in tasks.Where(t => t.IsGold))
        {
            task.IsGold = false;
            task.TargetAnnotations = Coverage.TargetAnnotations(task.ContentHash, project.AnnotatorsPerTask, project.CoveragePercent);
            task.IsAvailable = task.DeletedAt == null && task.AssignedCount < task.TargetAnnotations;
        }

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.GoldAnswers.Where(g => taskIds.Contains(g.TaskId)).ExecuteDeleteAsync(ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        await audit.WriteAsync(user.UserId, user.DisplayName, "gold.unmark", "task", string.Join(",", tasks.Select(t => t.Id)), projectId,
            $"{tasks.Count} task(s) no longer used as gold", ct);
        return tasks.Count;
    }

    /// <summary>Un-marks the pasted tasks; unknown entries are listed with their line and nothing changes.</summary>
    public async Task<int> UnmarkAsync(PortalPrincipal user, Guid projectId, string pasted, CancellationToken ct)
    {
        var ids = await ResolveAsync(user, projectId, pasted, requireTruth: false, ct);
        return await UnmarkAsync(user, projectId, ids, ct);
    }

    /// <summary>The project's tasks with these ids, tracked; any id that is not one of them is not found.</summary>
    private static async Task<List<LabelingTask>> TasksAsync(PortalDbContext db, Guid projectId, IReadOnlyCollection<long> taskIds, CancellationToken ct)
    {
        var tasks = await db.Tasks.Where(t => t.ProjectId == projectId && taskIds.Contains(t.Id)).ToListAsync(ct);
        var missing = taskIds.Except(tasks.Select(t => t.Id)).ToList();
        if (missing.Count > 0)
        {
            throw new NotFoundException($"Task {string.Join(", ", missing)}");
        }

        return tasks;
    }

    /// <summary>Pasted entries as task ids: an external id of the project first, else a task id; every wrong entry in one error.</summary>
    private async Task<List<long>> ResolveAsync(PortalPrincipal user, Guid projectId, string pasted, bool requireTruth, CancellationToken ct)
    {
        var references = TaskReferences.Parse(pasted);
        if (references.Count == 0)
        {
            throw new ValidationException("Tasks", "Paste at least one task id or external id (one per line, or separated by commas).");
        }

        if (references.Count > 5000)
        {
            throw new ValidationException("Tasks", $"At most 5000 tasks at a time; you pasted {references.Count}.");
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var texts = references.Select(r => r.Text).ToList();
        var numbers = references.Select(r => long.TryParse(r.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).Where(n => n > 0).ToList();
        var found = await db.Tasks.AsNoTracking()
            .Where(t => t.ProjectId == projectId && ((t.ExternalId != null && texts.Contains(t.ExternalId)) || numbers.Contains(t.Id)))
            .Select(t => new { t.Id, t.ExternalId, HasTruth = db.GroundTruths.Any(g => g.TaskId == t.Id) })
            .ToListAsync(ct);
        var byExternal = found.Where(t => t.ExternalId is not null).GroupBy(t => t.ExternalId!).ToDictionary(g => g.Key, g => g.First());
        var byId = found.ToDictionary(t => t.Id);
        var ids = new List<long>();
        var errors = new List<(string, string)>();
        foreach (var reference in references)
        {
            var task = byExternal.GetValueOrDefault(reference.Text)
                ?? (long.TryParse(reference.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? byId.GetValueOrDefault(n) : null);
            if (task is null)
            {
                errors.Add(("Tasks", $"Line {reference.Line}: \"{reference.Text}\" is neither a task id nor an external id in this project."));
            }
            else if (requireTruth && !task.HasTruth)
            {
                errors.Add(("Tasks", $"Line {reference.Line}: task {task.Id} has no ground truth yet (adjudicate it or wait for consensus first)."));
            }
            else if (!ids.Contains(task.Id))
            {
                ids.Add(task.Id);
            }
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        return ids;
    }

    /// <summary>The gold tasks of the project, newest marked first, with how often they were scored and the mean score.</summary>
    public async Task<GoldOverview> OverviewAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == projectId, ct);
        var count = await db.GoldAnswers.CountAsync(g => g.ProjectId == projectId, ct);
        var rows = await db.GoldAnswers.AsNoTracking().Where(g => g.ProjectId == projectId)
            .OrderByDescending(g => g.MarkedAt).ThenByDescending(g => g.TaskId).Take(ListedTasks)
            .Select(g => new
            {
                g.TaskId,
                ExternalId = db.Tasks.Where(t => t.Id == g.TaskId).Select(t => t.ExternalId).First(),
                MarkedBy = db.Users.Where(u => u.Id == g.MarkedById).Select(u => u.DisplayName).FirstOrDefault(),
                g.MarkedAt,
                Scored = db.GoldScores.Count(s => s.TaskId == g.TaskId),
                Mean = db.GoldScores.Where(s => s.TaskId == g.TaskId).Average(s => (double?)s.Score),
            })
            .ToListAsync(ct);
        var settings = new GoldSettingsView(project.GoldTaskRatePercent, project.ShowGoldFeedback, project.OnboardingGoldTasks, project.OnboardingThreshold,
            project.AutoPauseWindow, project.AutoPauseThreshold);
        var warning = project.OnboardingGoldTasks > count
            ? $"Onboarding asks for {project.OnboardingGoldTasks} gold tasks but the project has {count}. Until there are enough, new annotators label normally without onboarding. Mark more tasks as gold below."
            : null;
        return new GoldOverview(count, [.. rows.Select(r => new GoldTaskRow(r.TaskId, r.ExternalId, r.MarkedBy ?? "someone", r.MarkedAt, r.Scored, r.Mean))], settings, warning);
    }

    /// <summary>A task's gold answer for the task page (reviewers and up); null when the task is not gold.</summary>
    public async Task<AnnotationResult?> AnswerAsync(PortalPrincipal user, Guid projectId, long taskId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var gold = await db.GoldAnswers.AsNoTracking().SingleOrDefaultAsync(g => g.TaskId == taskId && g.ProjectId == projectId, ct);
        if (gold is null)
        {
            return null;
        }

        var toCurrent = await TaxonomyMaps.ToCurrentAsync(db, projectId, [gold.TaxonomyVersionId], ct);
        return ToCurrent(AnnotationResult.FromJson(gold.ResultJson), toCurrent(gold.TaxonomyVersionId));
    }

    /// <summary>
    /// Scores a submitted annotation when its task is gold (one indexed look-up when it is not): the gold answer and the work
    /// are both read through the label migration map to the current label set, so work under another version compares fairly.
    /// Then the annotator's onboarding and auto-pause are decided on their scores.
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
        var (expected, theirs, questions, text) = await CompareAsync(db, gold, work, ct);
        var score = GoldScoring.Score(expected, theirs, [.. questions.Where(c => c.Kind.IsScored()).Select(c => (c.Name, c.Kind == ControlKind.Spans))], text.Length);

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
        await holds.AfterScoreAsync(work.ProjectId, work.UserId, ct);
        return score;
    }

    /// <summary>
    /// "That was a check task": for the task this user just submitted, their score and the expected answer next to theirs.
    /// Null unless the project shows gold feedback, the task is gold and the user's own submission on it is scored, so
    /// it reveals nothing about tasks still to come.
    /// </summary>
    public async Task<GoldFeedback?> FeedbackAsync(PortalPrincipal user, Guid projectId, long taskId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId && p.ShowGoldFeedback, ct))
        {
            return null;
        }

        var work = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
            .SingleOrDefaultAsync(a => a.ProjectId == projectId && a.TaskId == taskId && a.UserId == user.UserId && a.Round == 0, ct);
        var gold = await db.GoldAnswers.AsNoTracking().SingleOrDefaultAsync(g => g.TaskId == taskId && g.ProjectId == projectId, ct);
        var scored = work is null ? null : await db.GoldScores.AsNoTracking().Where(s => s.AnnotationId == work.Id).Select(s => (double?)s.Score).SingleOrDefaultAsync(ct);
        if (work is null || gold is null || scored is not { } score)
        {
            return null;
        }

        var (expected, theirs, controls, text) = await CompareAsync(db, gold, work, ct);
        var names = controls.SelectMany(c => c.Labels).GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.First().Path);
        string Name(Guid key) => names.GetValueOrDefault(key, "(removed label)");
        string Span(SpanValue s) => $"{Name(s.Label)}: \"{(s.End <= text.Length ? text[s.Start..s.End] : "?")}\"";
        string Answer(AnswerValue a) => $"{controls.FirstOrDefault(c => c.Name == a.Control)?.Prompt ?? a.Control}: {Name(a.Label)}";
        List<FeedbackLine> Lines(AnnotationResult side, AnnotationResult other) =>
        [
            .. side.Spans.OrderBy(s => s.Start).Select(s => new FeedbackLine(Span(s), other.Spans.Contains(s))),
            .. side.Answers.Select(a => new FeedbackLine(Answer(a), other.Answers.Contains(a))),
        ];

        return new GoldFeedback(taskId, score, Lines(expected, theirs), Lines(theirs, expected));
    }

    /// <summary>The gold answer and the work in the current label set, with its questions and the task text.</summary>
    private async Task<(AnnotationResult Expected, AnnotationResult Work, IReadOnlyList<ControlView> Questions, string Text)> CompareAsync(
        PortalDbContext db, GoldAnswer gold, Annotation work, CancellationToken ct)
    {
        var toCurrent = await TaxonomyMaps.ToCurrentAsync(db, work.ProjectId, [work.TaxonomyVersionId, gold.TaxonomyVersionId], ct);
        var currentVersion = await db.Taxonomies.Where(t => t.ProjectId == work.ProjectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? work.TaxonomyVersionId;
        var questions = await labelSets.GetAsync(db, currentVersion, ct);
        var text = await db.Tasks.Where(t => t.Id == work.TaskId).Select(t => t.Text).SingleAsync(ct);
        return (ToCurrent(AnnotationResult.FromJson(gold.ResultJson), toCurrent(gold.TaxonomyVersionId)),
            ToCurrent(AnnotationStore.ScoredPartOf(work), toCurrent(work.TaxonomyVersionId)), questions, text);
    }

    /// <summary>A result with every label read through the map to the current label set (scorecards compare the same way).</summary>
    internal static AnnotationResult ToCurrent(AnnotationResult result, LabelMigrationMap map) => new(
        [.. result.Spans.Select(s => s with { Label = map.Resolve(s.Label).Key })],
        [.. result.Answers.Select(a => a with { Label = map.Resolve(a.Label).Key })]);
}
