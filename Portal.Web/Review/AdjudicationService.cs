using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Review;

/// <summary>
/// Adjudication of tasks whose annotators disagreed: everyone's work side by side and merged (spans at the vote
/// threshold pre-accepted), and the adjudicator's result becomes the task's ground truth with provenance.
/// With anonymized adjudication, annotator names never leave the server.
/// </summary>
public sealed class AdjudicationService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, TimeProvider clock)
{
    public async Task<int> WaitingAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        // From the queue counters (decision 0023), the number the Home card shows, not a count over the project's tasks.
        return (await ReviewQueueCounts.ForReviewerAsync(db, user.UserId, projectId, ct)).ToAdjudicate;
    }

    public async Task<AdjudicationItem?> NextAsync(PortalPrincipal user, Guid projectId, QueueOrder order, IReadOnlyCollection<long> putAside, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var queue = Queue(db, user, projectId, putAside);
        queue = order == QueueOrder.LowestAgreementFirst ? queue.OrderBy(t => t.Agreement ?? 2).ThenBy(t => t.Id) : queue.OrderBy(t => t.Id);
        var id = await queue.Select(t => t.Id).FirstOrDefaultAsync(ct);
        return id == 0 ? null : await LoadAsync(db, projectId, id, ct);
    }

    public async Task<AdjudicationItem> OpenAsync(PortalPrincipal user, Guid projectId, long taskId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        return await LoadAsync(db, projectId, taskId, ct);
    }

    /// <summary>Tasks waiting for adjudication, except those the user annotated (nobody judges their own work).</summary>
    private static IQueryable<LabelingTask> Queue(PortalDbContext db, PortalPrincipal user, Guid projectId, IReadOnlyCollection<long> putAside)
    {
        var state = TaskState.Adjudication;
        return db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId && t.State == state && !putAside.Contains(t.Id) &&
            !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == user.UserId));
    }

    private async Task<AdjudicationItem> LoadAsync(PortalDbContext db, Guid projectId, long taskId, CancellationToken ct)
    {
        var task = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId && t.ProjectId == projectId)
            .Select(t => new { t.Text, t.State, t.Agreement, t.Version }).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("The task");
        if (task.State != TaskState.Adjudication)
        {
            throw new ConflictException("This task is not waiting for adjudication (someone may have resolved it meanwhile).");
        }

        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new { p.AnonymousAdjudication, p.ConsensusVoteThreshold }).SingleAsync(ct);
        var annotations = await SubmittedAsync(db, taskId, ct);
        var userIds = annotations.Select(a => a.UserId).ToList();
        var names = project.AnonymousAdjudication ? [] : await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var whole = await AnnotationStore.ResultsOfAsync(db, annotations, ct);
        var people = annotations.Select((a, i) =>
        {
            var letter = ((char)('A' + (i % 26))).ToString();
            return project.AnonymousAdjudication
                ? new AdjudicationAnnotator(letter, $"Annotator {letter}", null, whole[a.Id])
                : new AdjudicationAnnotator(letter, names.GetValueOrDefault(a.UserId, "someone"), a.UserId, whole[a.Id]);
        }).ToList();
        var versionId = await VersionOfAsync(db, projectId, annotations, ct);
        var controls = await labelSets.GetAsync(db, versionId, ct);
        var merged = TaskConsensus.Merge([.. controls.Select(c => new ControlSpec(c.Name, c.Kind))], [.. people.Select(p => new AnnotatorResult(p.Key, p.Result))], project.ConsensusVoteThreshold);
        return new AdjudicationItem(projectId, taskId, task.Text, controls, people, merged, task.Agreement, project.ConsensusVoteThreshold,
            project.AnonymousAdjudication, task.Version, await ReviewService.ReviewerInstructionsAsync(db, projectId, ct));
    }

    private static Task<List<Annotation>> SubmittedAsync(PortalDbContext db, long taskId, CancellationToken ct) =>
        db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers)
            .Where(a => a.TaskId == taskId && a.Round == 0 && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted))
            .OrderBy(a => a.Id).ToListAsync(ct);

    /// <summary>The label set of the newest annotation (the one adjudication and ground truth are made under).</summary>
    private static async Task<Guid> VersionOfAsync(PortalDbContext db, Guid projectId, List<Annotation> annotations, CancellationToken ct) =>
        annotations.Count > 0 ? annotations[^1].TaxonomyVersionId
            : await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;

    /// <summary>
    /// Makes <paramref name="result"/> the task's ground truth: who decided, when, why (the reason code and note) and
    /// which annotators had exactly this result. A task resolved meanwhile, or changed since it was opened, is a conflict.
    /// </summary>
    public async Task ResolveAsync(
        PortalPrincipal user, Guid projectId, long taskId, int expectedTaskVersion, AnnotationResult result, AuditErrorType reason, string? note, CancellationToken ct)
    {
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        var errors = new List<(string, string)>();
        if (!Enum.IsDefined(reason) || reason == AuditErrorType.None)
        {
            errors.Add(("Reason", "Choose why the annotators disagreed (wrong label, boundary, missed span, spurious span or guideline gap)."));
        }

        if (note?.Length > 4000)
        {
            errors.Add(("Note", "The note is too long (at most 4000 characters)."));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var task = await db.Tasks.SingleOrDefaultAsync(t => t.Id == taskId && t.ProjectId == projectId, ct) ?? throw new NotFoundException("The task");
        if (task.State != TaskState.Adjudication || task.Version != expectedTaskVersion)
        {
            throw new ConflictException("Someone resolved or changed this task since you opened it. Nothing was saved; open the next task.");
        }

        var annotations = await SubmittedAsync(db, taskId, ct);
        if (annotations.Any(a => a.UserId == user.UserId))
        {
            throw new ForbiddenException("You annotated this task yourself; another reviewer adjudicates it.");
        }

        var versionId = await VersionOfAsync(db, projectId, annotations, ct);
        AnnotationStore.Validate(task.Text, await labelSets.GetAsync(db, versionId, ct), result, requireComplete: true);

        var now = clock.GetUtcNow().UtcDateTime;
        var json = result.ToJson();
        var results = await AnnotationStore.ResultsOfAsync(db, annotations, ct);
        var agreeing = annotations.Where(a => results[a.Id].ToJson() == json).Select(a => a.UserId.ToString()).ToList();
        var truth = await db.GroundTruths.SingleOrDefaultAsync(g => g.TaskId == taskId, ct);
        if (truth is null)
        {
            db.GroundTruths.Add(truth = new GroundTruth { TaskId = taskId, ProjectId = projectId, ResultJson = json });
        }

        truth.ResultJson = json;
        truth.TaxonomyVersionId = versionId;
        truth.Source = GroundTruthSource.Adjudication;
        truth.Rule = null;
        truth.DecidedById = user.UserId;
        truth.DecidedAt = now;
        truth.AgreeingAnnotatorsJson = JsonSerializer.Serialize(agreeing);
        truth.Agreement = task.Agreement;
        truth.ReasonCode = reason;
        truth.Note = note;
        task.State = TaskState.Done;
        db.TaskEvents.Add(new TaskEvent
        {
            ProjectId = projectId, TaskId = taskId, At = now, Kind = TaskEventKind.Adjudicated, ActorId = user.UserId, Agreement = task.Agreement,
            Detail = $"Adjudicated ({Reasons.Describe(reason)}): {agreeing.Count} of {annotations.Count} annotators had exactly this result." + (note is null ? "" : $" Note: {note}"),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("Someone resolved this task at the same moment. Nothing was saved; open the next task.");
        }
    }
}

/// <summary>Reason codes as people read them.</summary>
public static class Reasons
{
    public static readonly IReadOnlyList<AuditErrorType> Choices =
        [AuditErrorType.WrongLabel, AuditErrorType.Boundary, AuditErrorType.MissedSpan, AuditErrorType.SpuriousSpan, AuditErrorType.GuidelineGap];

    public static string Describe(AuditErrorType reason) => reason switch
    {
        AuditErrorType.WrongLabel => "wrong label",
        AuditErrorType.Boundary => "span boundary",
        AuditErrorType.MissedSpan => "missed span",
        AuditErrorType.SpuriousSpan => "spurious span",
        AuditErrorType.GuidelineGap => "guideline gap",
        _ => "no reason given",
    };
}
