using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;

namespace Portal.Tests.Web.Audits;

/// <summary>
/// A small project with hand-countable figures for annotator A0 in the range [<see cref="From"/>, <see cref="To"/>) (10 days):
/// four submissions of 1, 3, 4 and 10 s (median 3.5 s), one skip, four reviews (2 accepted, 1 fixed, 1 rejected), five gold
/// scores (1, .5, .75, .25, 1), ten audited items of which two had errors (two wrong labels, one boundary), one waiting, and
/// a pause in the person's history. A1 is a second annotator with no work; a reviewer is a QA lead.
/// </summary>
internal sealed record ScorecardSeed(Guid ProjectId, PortalPrincipal A0, PortalPrincipal A1, PortalPrincipal Reviewer, List<long> TaskIds, long SentBackTaskId)
{
    public static readonly DateTime From = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime To = From.AddDays(10);

    public static async Task<ScorecardSeed> CreateAsync(TestDatabase database, bool anonymous = false, bool showGold = false)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var reviewer = new PortalPrincipal(Guid.CreateVersion7(), "Rita Reviewer", new HashSet<string> { AppRoles.User });
        await using var db = await database.ContextAsync();
        var project = await db.Projects.SingleAsync(p => p.Id == projectId);
        project.AnonymousAdjudication = anonymous;
        project.ShowGoldFeedback = showGold;
        project.AutoPauseWindow = 2;
        db.Users.Add(new User { Id = reviewer.UserId, ExternalId = $"r-{Guid.NewGuid():N}", Email = "r@x", DisplayName = reviewer.DisplayName, CreatedAt = DateTime.UtcNow });
        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = reviewer.UserId, Role = ProjectRole.Reviewer, AddedAt = DateTime.UtcNow });
        var version = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId!.Value).SingleAsync();
        var tasks = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
        var a0 = people[0].UserId;

        Annotation Work(long taskId, AnnotationStatus status, long leadMs, DateTime at) => new()
        {
            ProjectId = projectId, TaskId = taskId, UserId = a0, TaxonomyVersionId = version, Status = status, LeadTimeMs = leadMs,
            CreatedAt = at, UpdatedAt = at, SubmittedAt = status == AnnotationStatus.Skipped ? null : at,
        };

        var work = new List<Annotation>
        {
            Work(tasks[0], AnnotationStatus.Accepted, 4000, From.AddDays(1)),
            Work(tasks[1], AnnotationStatus.Accepted, 1000, From.AddDays(2)),
            Work(tasks[2], AnnotationStatus.Accepted, 3000, From.AddDays(2).AddHours(3)),
            Work(tasks[3], AnnotationStatus.Rejected, 10000, From.AddDays(5)),
            Work(tasks[4], AnnotationStatus.Skipped, 0, From.AddDays(6)),
            // Before the range: neither counted nor in the median.
            Work(tasks[5], AnnotationStatus.Submitted, 999_999, From.AddDays(-3)),
        };
        db.Annotations.AddRange(work);
        await db.SaveChangesAsync();

        var decisions = new[] { ReviewDecision.Accept, ReviewDecision.Accept, ReviewDecision.FixAndAccept, ReviewDecision.Reject };
        db.Reviews.AddRange(decisions.Select((d, i) => new Portal.Data.Entities.Review { AnnotationId = work[i].Id, ReviewerId = reviewer.UserId, Decision = d, CreatedAt = From.AddDays(7) }));
        db.GoldScores.AddRange(new[] { 1, 0.5, 0.75, 0.25, 1 }.Select((score, i) => new GoldScoreEntry
        {
            AnnotationId = work[i].Id, TaskId = tasks[i], ProjectId = projectId, UserId = a0, Score = score, PerLabelJson = "{}", ScoredAt = From.AddDays(1 + i),
        }));
        // Ground truth: task 0 as A0 left it (empty: a match), task 1 with an intent A0 did not give (one question of the task wrong).
        var intent = await db.Labels.Where(l => l.TaxonomyVersionId == version).Join(db.TaxonomyControls.Where(c => c.Name == "intent"), l => l.ControlId, c => c.Id, (l, c) => l.Key).FirstAsync();
        db.GroundTruths.Add(new GroundTruth { TaskId = tasks[0], ProjectId = projectId, TaxonomyVersionId = version, ResultJson = AnnotationResult.Empty.ToJson() });
        db.GroundTruths.Add(new GroundTruth { TaskId = tasks[1], ProjectId = projectId, TaxonomyVersionId = version, ResultJson = new AnnotationResult([], [new AnswerValue("intent", intent)]).ToJson() });
        db.GoldAnswers.Add(new GoldAnswer { TaskId = tasks[1], ProjectId = projectId, TaxonomyVersionId = version, ResultJson = new AnnotationResult([new SpanValue("entities", intent, 6, 7)], [new AnswerValue("intent", intent)]).ToJson(), MarkedById = reviewer.UserId, MarkedAt = From });

        // Three nights, as an annotation is sampled at most once per run.
        var runs = Enumerable.Range(0, 3).Select(n => new AuditRun
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, RunKey = $"2026-03-0{6 + n}", State = Portal.Core.Jobs.RunState.Succeeded, WindowStart = From, WindowEnd = To, CreatedAt = From.AddDays(6 + n),
        }).ToList();
        db.AuditRuns.AddRange(runs);
        AuditSample Sample(int i, AuditOutcome outcome) => new()
        {
            AuditRunId = runs[i / 4].Id, ProjectId = projectId, AnnotationId = work[i % 4].Id, TaskId = tasks[i % 4], AnnotatorId = a0, Stratum = "s",
            Outcome = outcome, ReviewerId = outcome == AuditOutcome.Waiting ? null : reviewer.UserId, ReviewedAt = outcome == AuditOutcome.Waiting ? null : From.AddDays(8).AddMinutes(i),
        };
        var samples = Enumerable.Range(0, 10).Select(i => Sample(i, i < 2 ? AuditOutcome.HasErrors : AuditOutcome.Correct)).Append(Sample(10, AuditOutcome.Waiting)).ToList();
        samples[0].Errors.Add(new AuditSampleError { ProjectId = projectId, ErrorType = AuditErrorType.WrongLabel, ControlName = "entities", LabelKey = intent, Start = 0, End = 5, Note = "Not a person" });
        samples[0].Errors.Add(new AuditSampleError { ProjectId = projectId, ErrorType = AuditErrorType.Boundary, ControlName = "entities", Start = 12, End = 17 });
        samples[1].Errors.Add(new AuditSampleError { ProjectId = projectId, ErrorType = AuditErrorType.WrongLabel, ControlName = "intent", LabelKey = intent });
        samples[1].SentBack = true;
        samples[1].Note = "Please redo the intent";
        db.AuditSamples.AddRange(samples);
        db.AuditLog.Add(new AuditLogEntry { At = From.AddDays(9), UserId = reviewer.UserId, UserName = reviewer.DisplayName, Action = "member.pause", ObjectType = "user", ObjectId = a0.ToString("D"), ProjectId = projectId, Details = "gold score 40 % over the last 2 gold tasks (needs 60 %)" });
        await db.SaveChangesAsync();
        return new ScorecardSeed(projectId, people[0], people[1], reviewer, tasks, tasks[1]);
    }
}
