using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Jobs;
using Portal.Web.Review;

namespace Portal.Web.Audits;

/// <summary>
/// The QA lead's audit queue: sampled annotations one at a time, oldest first, each as its annotator left it; a verdict
/// (correct, or errors from the taxonomy), an optional fix and an optional send-back. Reviewers, managers and admins only;
/// nobody audits their own work; a verdict on work changed since it was opened is a conflict, never an overwrite.
/// </summary>
public sealed class AuditQueueService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, AuditLog audit, ConsensusService consensus,
    TimeProvider clock, IServiceProvider services)
{
    public const int MaxNoteLength = 4000;

    /// <summary>Items waiting for a verdict in the project (every QA lead's queue): one count on the (ProjectId, Outcome, Id) index.</summary>
    public async Task<int> WaitingCountAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var waiting = AuditOutcome.Waiting;
        return await db.AuditSamples.CountAsync(s => s.ProjectId == projectId && s.Outcome == waiting, ct);
    }

    /// <summary>
    /// The oldest waiting item after <paramref name="afterSampleId"/> (the last one the QA lead passed over this session,
    /// so passed items are not served again until they start over), leaving out the QA lead's own work; null when none.
    /// </summary>
    public async Task<AuditItem?> NextAsync(PortalPrincipal user, Guid projectId, long? afterSampleId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var waiting = AuditOutcome.Waiting;
        var after = afterSampleId ?? 0;
        // Keyset on the (ProjectId, Outcome, Id) index: the first waiting id past the cursor, no sort, no offset.
        var id = await db.AuditSamples.AsNoTracking()
            .Where(s => s.ProjectId == projectId && s.Outcome == waiting && s.Id > after && s.AnnotatorId != user.UserId)
            .OrderBy(s => s.Id).Select(s => s.Id).FirstOrDefaultAsync(ct);
        return id == 0 ? null : await LoadAsync(db, projectId, id, ct);
    }

    /// <summary>One item by id, waiting or already audited (a link to it, or to change its verdict).</summary>
    public async Task<AuditItem> OpenAsync(PortalPrincipal user, Guid projectId, long sampleId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        return await LoadAsync(db, projectId, sampleId, ct);
    }

    /// <summary>
    /// When the nightly audit run next fills the queue (from the job schedule and Hangfire's storage); null where no
    /// job storage runs (command line, tests) or no audit job is scheduled.
    /// </summary>
    public DateTime? NextNightlyRun()
    {
        // The audit run's row: this feature's job with "Audit" in its name (gold and pause jobs live here too).
        var entry = RecurringJobSchedule.Jobs.FirstOrDefault(j =>
            j.JobType.Namespace == typeof(AuditQueueService).Namespace && j.JobType.Name.Contains("Audit", StringComparison.Ordinal));
        if (entry is null || services.GetService(typeof(JobStorage)) is not JobStorage storage)
        {
            return null;
        }

        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs([entry.Id]).FirstOrDefault()?.NextExecution;
    }

    /// <summary>
    /// Records the QA lead's verdict on an item, with its optional fix and send-back, in one transaction. The same verdict
    /// again is a no-op; a different one replaces the recorded one (errors included) and is audited too. A fix or a
    /// send-back needs the work unchanged since it was sampled; everything needs it unchanged since the item was opened
    /// (<paramref name="expectedAnnotationVersion"/>), else a <see cref="ConflictException"/> and nothing is saved.
    /// </summary>
    public async Task RecordAsync(
        PortalPrincipal user, Guid projectId, long sampleId, AuditVerdictInput input, int expectedAnnotationVersion, CancellationToken ct)
    {
        var note = Trimmed(input.Note);
        ValidateShape(input, note);
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var sample = await db.AuditSamples.Include(s => s.Errors)
            .SingleOrDefaultAsync(s => s.Id == sampleId && s.ProjectId == projectId, ct) ?? throw new NotFoundException("The audit item");
        if (sample.AnnotatorId == user.UserId)
        {
            throw new ForbiddenException("You cannot audit your own work; another QA lead will.");
        }

        var annotation = await db.Annotations.Include(a => a.Spans).Include(a => a.Answers).SingleAsync(a => a.Id == sample.AnnotationId, ct);
        var sampled = await SampledAsync(db, sample, annotation, ct);
        var text = await db.Tasks.Where(t => t.Id == sample.TaskId).Select(t => t.Text).SingleAsync(ct);
        var errors = ValidErrors(text, await labelSets.GetAsync(db, sampled.TaxonomyVersionId, ct), input.Errors);
        var current = await AnnotationStore.ResultOfAsync(db, annotation, ct);
        var fix = input.Fix is { } f && f.ToJson() != current.ToJson() ? f : null;
        var verdictChanged = sample.Outcome != input.Verdict || sample.Note != note || !errors.SequenceEqual(sample.Errors.OrderBy(e => e.Id).Select(Input));
        var sendBack = input.SendBack && !sample.SentBack;
        if (!verdictChanged && fix is null && !sendBack)
        {
            return;
        }

        if (annotation.Version != expectedAnnotationVersion)
        {
            throw new ConflictException("The annotator changed this work since you opened it. The item is reloaded: audit what is there now; nothing was saved.");
        }

        if ((fix is not null || sendBack) && annotation.Version != sample.AnnotationVersion)
        {
            throw new ConflictException(
                "This work changed after it was sampled, so the audit can no longer fix it or send it back. Record your verdict on what was sampled; nothing was saved.");
        }

        if (fix is not null)
        {
            AnnotationStore.Validate(text, await labelSets.GetAsync(db, annotation.TaxonomyVersionId, ct), fix, requireComplete: true);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (verdictChanged)
        {
            Verdict(db, user, sample, input.Verdict, errors, note, now);
        }

        Change(db, user, sample, annotation, current, fix, sendBack ? note : null, now);
        await AnnotationStore.SaveAsync(db, ct);
        if (fix is not null)
        {
            // The fix changes what the task's consensus is made of.
            await consensus.EvaluateAsync(annotation.TaskId, ct);
        }
    }

    private void Verdict(PortalDbContext db, PortalPrincipal user, AuditSample sample, AuditOutcome verdict, List<AuditErrorInput> errors, string? note, DateTime now)
    {
        var before = sample.Outcome;
        db.AuditSampleErrors.RemoveRange(sample.Errors);
        sample.Errors = [.. errors.Select(e => new AuditSampleError
        {
            ProjectId = sample.ProjectId, ErrorType = e.Type, ControlName = e.Control, LabelKey = e.Label, Start = e.Start, End = e.End, Note = e.Note,
        })];
        sample.Outcome = verdict;
        sample.Note = note;
        sample.ReviewerId = user.UserId;
        sample.ReviewedAt = now;
        var what = verdict == AuditOutcome.Correct ? "correct" : $"has errors: {string.Join(", ", errors.Select(e => Reasons.Describe(e.Type)))}";
        var detail = $"Audit item {sample.Id}: {what}" + (before == AuditOutcome.Waiting ? "" : $" (changed from {(before == AuditOutcome.Correct ? "correct" : "has errors")})");
        db.TaskEvents.Add(new TaskEvent { ProjectId = sample.ProjectId, TaskId = sample.TaskId, At = now, Kind = TaskEventKind.Audited, ActorId = user.UserId, Detail = detail });
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "audit.verdict", "annotation", Id(sample), sample.ProjectId, detail));
    }

    /// <summary>The fix and the send-back: one revision (reason Audit) by the QA lead; the work stays its annotator's.</summary>
    private void Change(PortalDbContext db, PortalPrincipal user, AuditSample sample, Annotation annotation, AnnotationResult current, AnnotationResult? fix, string? sendBackNote, DateTime now)
    {
        if (fix is null && sendBackNote is null)
        {
            return;
        }

        if (sendBackNote is not null)
        {
            AnnotationStore.SendBack(annotation, sendBackNote, now);
            sample.SentBack = true;
            db.TaskEvents.Add(new TaskEvent
            {
                ProjectId = sample.ProjectId, TaskId = sample.TaskId, At = now, Kind = TaskEventKind.SentBackByAudit, ActorId = user.UserId, Detail = sendBackNote,
            });
            db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "audit.send-back", "annotation", Id(sample), sample.ProjectId, sendBackNote));
        }

        if (fix is not null)
        {
            sample.Fixed = true;
            db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "audit.fix", "annotation", Id(sample), sample.ProjectId,
                $"Audit item {sample.Id}: the QA lead corrected the work"));
        }

        annotation.UpdatedAt = now;
        AnnotationStore.Record(db, annotation, user.UserId, now, fix ?? current, RevisionReason.Audit,
            sendBackNote ?? sample.Note ?? "Fixed in an audit");
    }

    private static string Id(AuditSample sample) => sample.AnnotationId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static AuditErrorInput Input(AuditSampleError e) => new(e.ErrorType, e.ControlName, e.LabelKey, e.Start, e.End, e.Note);

    private static string? Trimmed(string? note) => string.IsNullOrWhiteSpace(note) ? null : note.Trim();

    private static void ValidateShape(AuditVerdictInput input, string? note)
    {
        var problems = new List<(string, string)>();
        if (input.Verdict is not (AuditOutcome.Correct or AuditOutcome.HasErrors))
        {
            problems.Add(("Verdict", "Record the item as correct or as having errors."));
        }
        else if (input.Verdict == AuditOutcome.HasErrors && input.Errors.Count == 0)
        {
            problems.Add(("Errors", "Mark at least one error, or record the item as correct."));
        }
        else if (input.Verdict == AuditOutcome.Correct && input.Errors.Count > 0)
        {
            problems.Add(("Errors", "An item recorded as correct has no errors: remove them, or record it as having errors."));
        }

        if (note?.Length > MaxNoteLength)
        {
            problems.Add(("Note", $"The note is too long (at most {MaxNoteLength} characters)."));
        }

        if (input.SendBack && note is null)
        {
            problems.Add(("Note", "Say what to fix: the annotator sees this note with the task when it comes back."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationException(problems);
        }
    }

    /// <summary>The errors checked against the text and the label set the item was made under, notes trimmed.</summary>
    private static List<AuditErrorInput> ValidErrors(string text, IReadOnlyList<ControlView> controls, IReadOnlyList<AuditErrorInput> errors)
    {
        var problems = new List<(string, string)>();
        foreach (var (e, i) in errors.Select((e, i) => (e, i)))
        {
            var field = $"Errors[{i}]";
            var control = e.Control is null ? null : controls.FirstOrDefault(c => c.Name == e.Control);
            if (e.Type is AuditErrorType.None || !Enum.IsDefined(e.Type))
            {
                problems.Add(($"{field}.Type", $"Error {i + 1}: choose what kind of error it is."));
            }

            if (e.Control is not null && control is null)
            {
                problems.Add(($"{field}.Control", $"Error {i + 1}: \"{e.Control}\" is not a question or span layer of this label set."));
            }

            if (e.Label is { } label && (control is null || control.Labels.All(l => l.Key != label)))
            {
                problems.Add(($"{field}.Label", $"Error {i + 1}: the label is not in this label set{(control is null ? " (say which question or span layer it belongs to)" : $" for \"{control.Prompt}\"")}."));
            }

            if (e.Start is not null || e.End is not null)
            {
                if (e.Start is not { } start || e.End is not { } end || start < 0 || end > text.Length || end <= start)
                {
                    problems.Add(($"{field}.Start", $"Error {i + 1}: the span [{e.Start}, {e.End}) is not inside the text (0 to {text.Length})."));
                }
                else if (control is not null && control.Kind != ControlKind.Spans)
                {
                    problems.Add(($"{field}.Control", $"Error {i + 1}: \"{control.Prompt}\" is a question, not a span layer."));
                }
            }
            else if (e.Type is AuditErrorType.Boundary or AuditErrorType.MissedSpan or AuditErrorType.SpuriousSpan)
            {
                problems.Add(($"{field}.Start", $"Error {i + 1}: \"{Reasons.Describe(e.Type)}\" is about a span: give its start and end."));
            }
            else if (e.Type == AuditErrorType.WrongLabel && (control is null || e.Label is null))
            {
                problems.Add(($"{field}.Label", $"Error {i + 1}: a wrong label is about a span or an answer: say which."));
            }

            if (e.Note?.Trim().Length > MaxNoteLength)
            {
                problems.Add(($"{field}.Note", $"Error {i + 1}: the note is too long (at most {MaxNoteLength} characters)."));
            }
        }

        return problems.Count > 0 ? throw new ValidationException(problems) : [.. errors.Select(e => e with { Note = Trimmed(e.Note) })];
    }

    private async Task<AuditItem> LoadAsync(PortalDbContext db, Guid projectId, long sampleId, CancellationToken ct)
    {
        // One round trip for the sample and what surrounds it (run, text, anonymity, name): the queue's next item is read often.
        var row = await db.AuditSamples.AsNoTracking().Where(s => s.Id == sampleId && s.ProjectId == projectId).Select(s => new
        {
            Sample = s,
            Run = db.AuditRuns.Where(r => r.Id == s.AuditRunId).Select(r => new { r.RunKey, r.CreatedAt }).First(),
            Text = db.Tasks.Where(t => t.Id == s.TaskId).Select(t => t.Text).First(),
            Anonymous = db.Projects.Where(p => p.Id == s.ProjectId).Select(p => p.AnonymousAdjudication).First(),
            Name = db.Users.Where(u => u.Id == s.AnnotatorId).Select(u => u.DisplayName).First(),
        }).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("The audit item");
        var sample = row.Sample;
        var errors = await db.AuditSampleErrors.AsNoTracking().Where(e => e.AuditSampleId == sampleId).OrderBy(e => e.Id).ToListAsync(ct);
        var annotation = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).SingleAsync(a => a.Id == sample.AnnotationId, ct);
        var sampled = await SampledAsync(db, sample, annotation, ct);
        var controls = await labelSets.GetAsync(db, sampled.TaxonomyVersionId, ct);
        var guidelines = await db.GuidelineVersions.AsNoTracking().Where(g => g.ProjectId == projectId).OrderByDescending(g => g.Number)
            .Select(g => new { g.Number, g.Markdown }).FirstOrDefaultAsync(ct);
        var stratumLabel = controls.SelectMany(c => c.Labels).FirstOrDefault(l => l.Key == sample.LabelKey)?.Path;
        // One annotator per item: with anonymization the QA lead sees a letter, never the name.
        return new AuditItem(projectId, sample.Id, annotation.Id, sample.TaskId, row.Text, controls, sampled.Result, annotation.Version,
            annotation.Version != sample.AnnotationVersion, row.Run.RunKey, row.Run.CreatedAt, sample.Stratum, stratumLabel, sample.Source,
            row.Anonymous ? "Annotator A" : row.Name, row.Anonymous, annotation.SubmittedAt, guidelines?.Number, guidelines?.Markdown, sample.Outcome,
            [.. errors.Select(Input)], sample.Note, sample.Fixed, sample.SentBack);
    }

    private sealed record Sampled(AnnotationResult Result, Guid TaxonomyVersionId);

    /// <summary>
    /// The work as it was sampled: the annotation itself while unchanged, else its revision of that version. Every change
    /// since wrote one revision and bumped the version once (AnnotationStore), so the sampled revision is as many numbers
    /// below the latest as the version moved on.
    /// </summary>
    private static async Task<Sampled> SampledAsync(PortalDbContext db, AuditSample sample, Annotation annotation, CancellationToken ct)
    {
        if (annotation.Version == sample.AnnotationVersion)
        {
            return new Sampled(await AnnotationStore.ResultOfAsync(db, annotation, ct), annotation.TaxonomyVersionId);
        }

        var revisions = db.AnnotationRevisions.AsNoTracking().Where(r => r.AnnotationId == annotation.Id);
        var latest = await revisions.MaxAsync(r => (int?)r.Number, ct) ?? 0;
        var number = latest - (annotation.Version - sample.AnnotationVersion);
        var revision = await revisions.Where(r => r.Number == number).Select(r => new { r.ResultJson, r.TaxonomyVersionId }).SingleOrDefaultAsync(ct);
        // Work written outside the store (a bulk load) has no such revision: the current work is then the best evidence.
        return revision is null
            ? new Sampled(await AnnotationStore.ResultOfAsync(db, annotation, ct), annotation.TaxonomyVersionId)
            : new Sampled(AnnotationResult.FromJson(revision.ResultJson), revision.TaxonomyVersionId);
    }
}
