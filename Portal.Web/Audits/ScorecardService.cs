using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Queries;
using Portal.Web.Taxonomy;

namespace Portal.Web.Audits;

/// <summary>
/// Per-annotator scorecards: throughput, time per task, skips, gold scores, audit error rate with its Wilson interval and
/// error mix, agreement with the ground truth, review decisions, hold and history. QA leads (Reviewer role and up) read
/// everyone's; an annotator reads only their own. Like adjudication, an anonymizing project shows "Annotator A, B…"
/// to everyone but the person themselves, managers and admins included.
/// </summary>
public sealed class ScorecardService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, TimeProvider clock)
{
    /// <summary>Agreement with the ground truth reads at most this many of the latest tasks: scoring loads each one's spans.</summary>
    public const int AgreementBound = 500;

    /// <summary>How many of the latest gold scores in the range the trend line shows.</summary>
    public const int TrendLength = 30;

    /// <summary>The rolling gold score's window when the project has no auto-pause window of its own.</summary>
    public const int DefaultRollingWindow = 10;

    public const int DefaultRangeDays = 30;
    private const int HistoryLimit = 100;

    private sealed record Person(Guid UserId, string Name, AnnotatorHold Hold, string? HoldReason, DateTime? HoldSince);

    private sealed record ProjectInfo(Guid Id, string Name, bool Anonymous, int AutoPauseWindow);

    private sealed record Submission(Guid UserId, long LeadTimeMs, DateTime SubmittedAt);

    /// <summary>One row per annotator (members who label, or have labeled, in the project).</summary>
    public async Task<ScorecardList> ListAsync(PortalPrincipal user, Guid projectId, DateTime? from, DateTime? to, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var (start, end) = Range(from, to);
        var project = await ProjectAsync(db, projectId, ct);
        var people = await PeopleAsync(db, project, user.UserId, ct);
        var (figures, _) = await FiguresAsync(db, project, people, null, start, end, ct);
        return new ScorecardList(project.Name, start, end, project.Anonymous, figures);
    }

    /// <summary>One annotator's scorecard: QA leads read anyone's, an annotator only their own.</summary>
    public async Task<Scorecard> GetAsync(PortalPrincipal user, Guid projectId, Guid annotatorId, DateTime? from, DateTime? to, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var self = annotatorId == user.UserId;
        await access.RequireAsync(db, user, projectId, self ? ProjectRole.Annotator : ProjectRole.Reviewer, ct);
        var (start, end) = Range(from, to);
        var project = await ProjectAsync(db, projectId, ct);
        var people = await PeopleAsync(db, project, user.UserId, ct);
        var person = people.FirstOrDefault(p => p.UserId == annotatorId);
        if (person is null && self)
        {
            // A member who has not labeled yet still has a (blank) scorecard of their own.
            person = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId && m.UserId == annotatorId)
                .Select(m => new Person(m.UserId, m.User!.DisplayName, m.Hold, m.HoldReason, m.HoldSince)).SingleOrDefaultAsync(ct);
        }

        if (person is null)
        {
            throw new NotFoundException("The annotator");
        }

        var (figures, submissions) = await FiguresAsync(db, project, [person], annotatorId, start, end, ct);
        var buckets = ScorecardMath.Buckets(submissions.Select(s => s.SubmittedAt), start, end);
        var bucketDays = buckets.Count > 1 ? buckets[1].Start.DayNumber - buckets[0].Start.DayNumber : 1;
        return new Scorecard(project.Name, start, end, project.Anonymous && !self, self, figures[0],
            await AgreementAsync(db, projectId, annotatorId, start, end, ct),
            [.. buckets.Select(b => new ThroughputBucket(b.Start, b.Count))], bucketDays, await HistoryAsync(db, projectId, annotatorId, ct));
    }

    private (DateTime Start, DateTime End) Range(DateTime? from, DateTime? to)
    {
        var end = to ?? clock.GetUtcNow().UtcDateTime;
        var start = from ?? end.AddDays(-DefaultRangeDays);
        if (start >= end)
        {
            throw new ValidationException("From", "The start of the range must lie before its end.");
        }

        return (start, end);
    }

    private static async Task<ProjectInfo> ProjectAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new ProjectInfo(p.Id, p.Name, p.AnonymousAdjudication, p.AutoPauseWindow)).SingleAsync(ct);

    /// <summary>
    /// The project's annotators (annotator members, and members of any role who have labeled) in the order they joined;
    /// that order gives the letters of an anonymized project, so a person keeps their letter as others join.
    /// </summary>
    private static async Task<List<Person>> PeopleAsync(PortalDbContext db, ProjectInfo project, Guid viewerId, CancellationToken ct)
    {
        var members = await db.Annotators(project.Id).AsNoTracking()
            .OrderBy(m => m.AddedAt).ThenBy(m => m.UserId)
            .Select(m => new Person(m.UserId, m.User!.DisplayName, m.Hold, m.HoldReason, m.HoldSince))
            .ToListAsync(ct);
        return [.. members
            .Select((m, i) => project.Anonymous && m.UserId != viewerId ? m with { Name = $"Annotator {ScorecardMath.Letter(i)}" } : m)];
    }

    private static async Task<(List<ScorecardFigures> Figures, List<Submission> Submissions)> FiguresAsync(
        PortalDbContext db, ProjectInfo project, IReadOnlyList<Person> people, Guid? only, DateTime start, DateTime end, CancellationToken ct)
    {
        var annotations = db.Annotations.AsNoTracking().Where(a => a.ProjectId == project.Id);
        var samples = db.AuditSamples.AsNoTracking().Where(s => s.ProjectId == project.Id && s.Outcome != AuditOutcome.Waiting && s.ReviewedAt >= start && s.ReviewedAt < end);
        var gold = db.GoldScores.AsNoTracking().Where(g => g.ProjectId == project.Id);
        if (only is { } id)
        {
            annotations = annotations.Where(a => a.UserId == id);
            samples = samples.Where(s => s.AnnotatorId == id);
            gold = gold.Where(g => g.UserId == id);
        }

        // Projected columns only: the median is taken in memory, never from loaded entities.
        var submissions = await annotations
            .Where(a => a.SubmittedAt >= start && a.SubmittedAt < end && a.Status != AnnotationStatus.Skipped && a.Status != AnnotationStatus.Draft)
            .Select(a => new Submission(a.UserId, a.LeadTimeMs, a.SubmittedAt!.Value)).ToListAsync(ct);
        var skips = await annotations.Where(a => a.Status == AnnotationStatus.Skipped && a.UpdatedAt >= start && a.UpdatedAt < end)
            .GroupBy(a => a.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var scores = await gold.OrderBy(g => g.ScoredAt).ThenBy(g => g.Id).Select(g => new { g.UserId, g.Score, g.ScoredAt }).ToListAsync(ct);
        var audited = await samples.GroupBy(s => s.AnnotatorId)
            .Select(g => new { g.Key, Audited = g.Count(), Errors = g.Count(s => s.Outcome == AuditOutcome.HasErrors) }).ToDictionaryAsync(g => g.Key, ct);
        var errorTypes = await (from e in db.AuditSampleErrors
                                join s in samples on e.AuditSampleId equals s.Id
                                group e by new { s.AnnotatorId, e.ErrorType } into g
                                select new { g.Key.AnnotatorId, g.Key.ErrorType, Count = g.Count() }).ToListAsync(ct);
        var reviews = await (from r in db.Reviews
                             join a in annotations on r.AnnotationId equals a.Id
                             where r.CreatedAt >= start && r.CreatedAt < end
                             group r by new { a.UserId, r.Decision } into g
                             select new { g.Key.UserId, g.Key.Decision, Count = g.Count() }).ToListAsync(ct);

        var days = Math.Max(1, (end - start).TotalDays);
        var window = project.AutoPauseWindow > 0 ? project.AutoPauseWindow : DefaultRollingWindow;
        var figures = people.Select(p =>
        {
            var mine = submissions.Where(s => s.UserId == p.UserId).ToList();
            var allGold = scores.Where(s => s.UserId == p.UserId).ToList();
            var inRange = allGold.Where(s => s.ScoredAt >= start && s.ScoredAt < end).ToList();
            var goldSummary = new GoldSummary(inRange.Count, inRange.Count == 0 ? null : inRange.Average(s => s.Score),
                GoldScoring.Rolling([.. allGold.Select(s => s.Score)], window), window,
                [.. inRange.Skip(Math.Max(0, inRange.Count - TrendLength)).Select(s => new GoldPoint(s.ScoredAt, s.Score))]);
            var audit = audited.GetValueOrDefault(p.UserId);
            var auditSummary = new AuditSummary(audit?.Audited ?? 0, audit?.Errors ?? 0,
                audit is { Audited: > 0 } ? Proportions.Wilson(audit.Errors, audit.Audited) : null,
                [.. errorTypes.Where(e => e.AnnotatorId == p.UserId).OrderByDescending(e => e.Count).Select(e => new ErrorTypeCount(e.ErrorType, e.Count))]);
            int Decided(ReviewDecision d) => reviews.Where(r => r.UserId == p.UserId && r.Decision == d).Sum(r => r.Count);
            return new ScorecardFigures(p.UserId, p.Name, mine.Count, skips.GetValueOrDefault(p.UserId), mine.Count / days,
                ScorecardMath.Median([.. mine.Select(s => s.LeadTimeMs)]) / 1000.0, goldSummary, auditSummary,
                new ReviewRates(Decided(ReviewDecision.Accept), Decided(ReviewDecision.FixAndAccept), Decided(ReviewDecision.Reject)),
                p.Hold, p.HoldReason, p.HoldSince);
        }).ToList();
        return (figures, submissions);
    }

    /// <summary>
    /// The annotator's latest submitted work (in the range) on tasks that have a ground truth, scored against it the way gold
    /// tasks are, both read through the label migration map to the current label set.
    /// </summary>
    private async Task<ConsensusAgreement> AgreementAsync(PortalDbContext db, Guid projectId, Guid annotatorId, DateTime start, DateTime end, CancellationToken ct)
    {
        var work = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.UserId == annotatorId && a.SubmittedAt >= start && a.SubmittedAt < end
                && a.Status != AnnotationStatus.Skipped && a.Status != AnnotationStatus.Draft && db.GroundTruths.Any(g => g.TaskId == a.TaskId))
            .OrderByDescending(a => a.SubmittedAt).Take(AgreementBound)
            .Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery().ToListAsync(ct);
        if (work.Count == 0)
        {
            return new ConsensusAgreement(0, null, null, AgreementBound);
        }

        var taskIds = work.Select(a => a.TaskId).ToList();
        var truths = await db.GroundTruths.AsNoTracking().Where(g => taskIds.Contains(g.TaskId))
            .Select(g => new { g.TaskId, g.ResultJson, g.TaxonomyVersionId }).ToDictionaryAsync(g => g.TaskId, ct);
        var lengths = await db.Tasks.Where(t => taskIds.Contains(t.Id)).Select(t => new { t.Id, t.Text.Length }).ToDictionaryAsync(t => t.Id, t => t.Length, ct);
        var toCurrent = await TaxonomyMaps.ToCurrentAsync(db, projectId, work.Select(a => a.TaxonomyVersionId).Concat(truths.Values.Select(t => t.TaxonomyVersionId)), ct);
        var currentVersion = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleOrDefaultAsync(ct) ?? work[0].TaxonomyVersionId;
        var questions = (await labelSets.GetAsync(db, currentVersion, ct)).Where(c => c.Kind.IsScored()).Select(c => (c.Name, c.Kind == ControlKind.Spans)).ToList();
        var scores = work.Select(a =>
        {
            var truth = truths[a.TaskId];
            return GoldScoring.Score(GoldService.ToCurrent(AnnotationResult.FromJson(truth.ResultJson), toCurrent(truth.TaxonomyVersionId)),
                GoldService.ToCurrent(AnnotationStore.ScoredPartOf(a), toCurrent(a.TaxonomyVersionId)), questions, lengths[a.TaskId]).Score;
        }).ToList();
        return new ConsensusAgreement(scores.Count, (double)scores.Count(s => s >= 1 - 1e-9) / scores.Count, scores.Average(), AgreementBound);
    }

    private static async Task<List<PersonEvent>> HistoryAsync(PortalDbContext db, Guid projectId, Guid annotatorId, CancellationToken ct)
    {
        var id = annotatorId.ToString("D");
        var log = await db.AuditLog.AsNoTracking().Where(e => e.ProjectId == projectId && e.ObjectType == "user" && e.ObjectId == id)
            .OrderByDescending(e => e.At).Take(HistoryLimit).Select(e => new PersonEvent(e.At, e.Action, e.UserName, e.Details)).ToListAsync(ct);
        var verdicts = await db.AuditSamples.AsNoTracking()
            .Where(s => s.ProjectId == projectId && s.AnnotatorId == annotatorId && s.Outcome != AuditOutcome.Waiting && s.ReviewedAt != null)
            .OrderByDescending(s => s.ReviewedAt).Take(HistoryLimit)
            .Select(s => new { At = s.ReviewedAt!.Value, s.TaskId, s.Outcome, s.ReviewerId, s.Fixed, s.SentBack, s.Note, Errors = s.Errors.Count }).ToListAsync(ct);
        var reviewerIds = verdicts.Where(v => v.ReviewerId != null).Select(v => v.ReviewerId!.Value).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => reviewerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. log.Select(e => e with { What = ActionText(e.What) })
            .Concat(verdicts.Select(v => new PersonEvent(v.At, VerdictText(v.TaskId, v.Outcome, v.Errors, v.Fixed, v.SentBack),
                v.ReviewerId is { } r ? names.GetValueOrDefault(r, "a QA lead") : "a QA lead", v.Note)))
            .OrderByDescending(e => e.At).Take(HistoryLimit)];
    }

    private static string ActionText(string action) => action switch
    {
        "member.pause" => "Paused: gets no new tasks",
        "member.resume" => "Resumed: gets tasks again",
        "member.onboarding-failed" => "Onboarding not passed",
        "member.onboarding-passed" => "Onboarding passed",
        "member.let-start" => "Let start without passing onboarding",
        _ => action,
    };

    private static string VerdictText(long taskId, AuditOutcome outcome, int errors, bool fixedIt, bool sentBack)
    {
        var text = outcome == AuditOutcome.Correct ? $"Audit of task {taskId}: correct" : $"Audit of task {taskId}: {errors} error{(errors == 1 ? "" : "s")}";
        return text + (fixedIt ? ", fixed by the QA lead" : "") + (sentBack ? ", sent back" : "");
    }
}
