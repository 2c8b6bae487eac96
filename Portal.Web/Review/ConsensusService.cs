using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Agreement;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Review;

/// <summary>
/// Consensus on completion (DESIGN.md flow 4): when a task has all its annotations, the engine scores it; at or above
/// the project's threshold the consensus becomes the ground-truth candidate, marked with its rule; below it the task
/// gets one more annotator (up to the project's maximum) or goes to adjudication. Every step is a task event.
/// Idempotent: evaluating a task again with the same annotations changes nothing, so the submit path, the sweep job
/// and a retry can all call it.
/// </summary>
public sealed class ConsensusService(IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets, TimeProvider clock, ILogger<ConsensusService> logger)
{
    /// <summary>The project's latest answers Dawid-Skene learns annotator skill from, shared by every evaluation.</summary>
    private readonly RecentAnswers recent = new(clock);

    public async Task<TaskEventKind?> EvaluateAsync(long taskId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var task = await db.Tasks.SingleOrDefaultAsync(t => t.Id == taskId, ct);
        if (task is null || task.IsGold || task.State == TaskState.Adjudication || task.SubmittedCount < task.TargetAnnotations)
        {
            // Most submits do not complete their task: one read and done. A gold task's ground truth is its expected
            // answer, so consensus never touches it (its target is also out of reach: every annotator labels it once).
            return null;
        }

        var truth = await db.GroundTruths.SingleOrDefaultAsync(g => g.TaskId == taskId, ct);
        if (truth is not null && truth.Source != GroundTruthSource.Consensus)
        {
            // A person decided: rules never overwrite that.
            return null;
        }

        var annotations = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
            .Where(a => a.TaskId == taskId && a.Round == 0 && a.Status != AnnotationStatus.Draft && a.Status != AnnotationStatus.Skipped)
            .OrderBy(a => a.Id).ToListAsync(ct);
        if (annotations.Any(a => a.Status == AnnotationStatus.Rejected) || annotations.Count < task.TargetAnnotations || annotations.Count == 0)
        {
            // Not complete, or a rejected annotation is being fixed: wait for it.
            return null;
        }

        if (annotations.Count < 2)
        {
            // One annotator (coverage below 100 %): nothing to agree on; the task is complete, and review covers it.
            if (task.State != TaskState.Completed)
            {
                task.State = TaskState.Completed;
                await db.SaveChangesAsync(ct);
            }

            return null;
        }

        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == task.ProjectId, ct);
        var settings = project.Settings;
        var controls = (await labelSets.GetAsync(db, annotations[^1].TaxonomyVersionId, ct)).Select(c => new ControlSpec(c.Name, c.Kind)).ToList();
        var whole = await AnnotationStore.ResultsOfAsync(db, annotations, ct);
        var results = annotations.Select(a => new AnnotatorResult(a.UserId.ToString(), whole[a.Id])).ToList();
        var history = await HistoryAsync(db, task, controls, results, ct);
        var decision = TaskConsensus.Decide(controls, task.Text.Length, results, new ConsensusPolicy(settings.AgreementThreshold, settings.ConsensusVoteThreshold), history);

        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        task.Agreement = decision.Agreement;
        var score = decision.Agreement is { } a ? a.ToString("0.00", CultureInfo.InvariantCulture) : "undefined";
        var happened = decision.Reached
            ? RecordConsensus(db, task, truth, decision, annotations, settings, now, score)
            : await RouteDisagreementAsync(db, task, truth, decision, annotations.Count, settings, now, score, ct);

        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex)
        {
            // Another evaluation of the same task (the sweep, a second submit) won the race; its result stands.
            logger.LogInformation(ex, "Task {TaskId} was evaluated concurrently; keeping the other result.", taskId);
            return null;
        }

        return happened;
    }

    /// <summary>Agreement reached: the consensus becomes (or stays) the ground-truth candidate and the task is done.</summary>
    private static TaskEventKind? RecordConsensus(
        PortalDbContext db, LabelingTask task, GroundTruth? truth, ConsensusDecision decision, List<Annotation> annotations, ProjectSettings settings, DateTime now, string score)
    {
        TaskEventKind? happened = null;
        var json = decision.Result.ToJson();
        var agreeing = JsonSerializer.Serialize(decision.Agreeing);
        if (truth is null)
        {
            db.GroundTruths.Add(truth = new GroundTruth { TaskId = task.Id, ProjectId = task.ProjectId, ResultJson = json });
            happened = TaskEventKind.ConsensusReached;
        }
        else if (truth.ResultJson != json || truth.AgreeingAnnotatorsJson != agreeing)
        {
            truth.ResultJson = json;
            happened = TaskEventKind.ConsensusUpdated;
        }

        if (happened is not null)
        {
            truth.Source = GroundTruthSource.Consensus;
            truth.Rule = Truncate(decision.Rule, 400);
            truth.TaxonomyVersionId = annotations[^1].TaxonomyVersionId;
            truth.AgreeingAnnotatorsJson = agreeing;
            truth.Agreement = decision.Agreement;
            truth.DecidedAt = now;
            truth.DecidedById = null;
            AddEvent(db, task, happened.Value, now, decision.Agreement,
                $"Agreement {score} ≥ {settings.AgreementThreshold:0.00}: the consensus of {decision.Agreeing.Count} of {annotations.Count} annotators became the ground-truth candidate ({decision.Rule}).");
        }

        task.State = TaskState.Done;
        return happened;
    }

    /// <summary>Agreement missed: one more annotator when the project allows one, else adjudication.</summary>
    private static async Task<TaskEventKind?> RouteDisagreementAsync(
        PortalDbContext db, LabelingTask task, GroundTruth? truth, ConsensusDecision decision, int annotators, ProjectSettings settings, DateTime now, string score,
        CancellationToken ct)
    {
        TaskEventKind? happened;
        var taskId = task.Id;
        if (truth is not null)
        {
            // A fix made the annotations disagree: the old consensus no longer stands.
            db.GroundTruths.Remove(truth);
        }

        var extra = task.TargetAnnotations - settings.AnnotatorsPerTask;
        var canAdd = extra < settings.MaxExtraAnnotators && !task.IsGold && await db.ProjectMembers
            .AnyAsync(m => m.ProjectId == task.ProjectId && m.Role == ProjectRole.Annotator && !db.Annotations.Any(x => x.TaskId == taskId && x.UserId == m.UserId), ct);
        if (canAdd)
        {
            task.TargetAnnotations++;
            task.IsAvailable = task.DeletedAt == null && task.AssignedCount < task.TargetAnnotations;
            task.State = TaskState.Open;
            happened = TaskEventKind.AnnotatorAdded;
            AddEvent(db, task, happened.Value, now, decision.Agreement,
                $"Agreement {score} < {settings.AgreementThreshold:0.00}: one more annotator asked for ({task.TargetAnnotations - 1} → {task.TargetAnnotations}).");
        }
        else
        {
            task.State = TaskState.Adjudication;
            happened = TaskEventKind.SentToAdjudication;
            AddEvent(db, task, happened.Value, now, decision.Agreement,
                $"Agreement {score} < {settings.AgreementThreshold:0.00} with {annotators} annotators: sent to adjudication.");
        }

        if (settings.ReviewPolicy == ReviewPolicy.LowAgreementOnly)
        {
            await db.Annotations.Where(x => x.TaskId == taskId && x.Status == AnnotationStatus.Submitted && !x.ReviewRequested)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReviewRequested, true).SetProperty(x => x.Version, x => x.Version + 1), ct);
        }

        return happened;
    }

    /// <summary>
    /// Earlier answers for Dawid-Skene, for the single-answer questions the annotators of this task answered differently
    /// (a unanimous answer needs no skill estimates): the answers of the project's latest submissions, newest first.
    /// </summary>
    private async Task<Dictionary<string, IReadOnlyList<Answer>>> HistoryAsync(
        PortalDbContext db, LabelingTask task, List<ControlSpec> controls, List<AnnotatorResult> results, CancellationToken ct)
    {
        var history = new Dictionary<string, IReadOnlyList<Answer>>();
        var disputed = controls.Where(c => c.Kind is ControlKind.SingleChoice or ControlKind.HierarchicalChoice)
            .Where(c => results.Select(r => r.Result.Answers.FirstOrDefault(a => a.Control == c.Name).Label).Distinct().Count() >= 2)
            .Select(c => c.Name).ToList();
        if (disputed.Count == 0)
        {
            return history;
        }

        var (work, answers) = await recent.GetAsync(db, task.ProjectId, ct);
        var others = work.Where(w => w.TaskId != task.Id).ToDictionary(w => w.AnnotationId);
        foreach (var name in disputed)
        {
            history[name] = [.. answers.Where(a => a.Control == name && others.ContainsKey(a.AnnotationId)).OrderBy(a => a.AnnotationId).Select(a =>
                new Answer(others[a.AnnotationId].TaskId.ToString(CultureInfo.InvariantCulture), others[a.AnnotationId].UserId.ToString(), a.Label.ToString()))];
        }

        return history;
    }

    private static void AddEvent(PortalDbContext db, LabelingTask task, TaskEventKind kind, DateTime now, double? agreement, string detail) =>
        db.TaskEvents.Add(new TaskEvent { ProjectId = task.ProjectId, TaskId = task.Id, At = now, Kind = kind, Agreement = agreement, Detail = Truncate(detail, 1000) });

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
