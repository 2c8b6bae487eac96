using Portal.Core.Audits;
using Portal.Core.Projects;
using Portal.Core.Security;

namespace Portal.Data.Entities;

public sealed class Project : IVersioned
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid CreatedById { get; set; }
    public bool IsArchived { get; set; }

    public int AnnotatorsPerTask { get; set; } = 2;
    public int CoveragePercent { get; set; } = 100;
    public ReviewPolicy ReviewPolicy { get; set; } = ReviewPolicy.LowAgreementOnly;
    public int ReviewSamplePercent { get; set; } = 10;
    public int GoldTaskRatePercent { get; set; }
    public double AgreementThreshold { get; set; } = 0.8;
    public int MaxExtraAnnotators { get; set; } = 1;
    public double ConsensusVoteThreshold { get; set; } = 0.51;
    public bool AnonymousAdjudication { get; set; }
    public int AuditRatePercent { get; set; } = 5;
    public int ReservationMinutes { get; set; } = 30;
    public int? RelabelAgeDays { get; set; }
    public AuditSizing AuditSizing { get; set; }
    public double AuditMarginOfError { get; set; } = 0.05;
    public double AuditConfidence { get; set; } = 0.95;
    public int AuditMinPerStratum { get; set; } = 2;
    public bool ShowGoldFeedback { get; set; }
    public int OnboardingGoldTasks { get; set; }
    public double OnboardingThreshold { get; set; } = 0.8;
    public int AutoPauseWindow { get; set; }
    public double AutoPauseThreshold { get; set; } = 0.6;

    public int Version { get; set; }

    public List<ProjectMember> Members { get; set; } = [];
    public Taxonomy? Taxonomy { get; set; }

    public ProjectSettings Settings => new()
    {
        AnnotatorsPerTask = AnnotatorsPerTask,
        CoveragePercent = CoveragePercent,
        ReviewPolicy = ReviewPolicy,
        ReviewSamplePercent = ReviewSamplePercent,
        GoldTaskRatePercent = GoldTaskRatePercent,
        AgreementThreshold = AgreementThreshold,
        MaxExtraAnnotators = MaxExtraAnnotators,
        ConsensusVoteThreshold = ConsensusVoteThreshold,
        AnonymousAdjudication = AnonymousAdjudication,
        AuditRatePercent = AuditRatePercent,
        ReservationMinutes = ReservationMinutes,
        RelabelAgeDays = RelabelAgeDays,
        AuditSizing = AuditSizing,
        AuditMarginOfError = AuditMarginOfError,
        AuditConfidence = AuditConfidence,
        AuditMinPerStratum = AuditMinPerStratum,
        ShowGoldFeedback = ShowGoldFeedback,
        OnboardingGoldTasks = OnboardingGoldTasks,
        OnboardingThreshold = OnboardingThreshold,
        AutoPauseWindow = AutoPauseWindow,
        AutoPauseThreshold = AutoPauseThreshold,
    };

    public void Apply(ProjectSettings s)
    {
        AnnotatorsPerTask = s.AnnotatorsPerTask;
        CoveragePercent = s.CoveragePercent;
        ReviewPolicy = s.ReviewPolicy;
        ReviewSamplePercent = s.ReviewSamplePercent;
        GoldTaskRatePercent = s.GoldTaskRatePercent;
        AgreementThreshold = s.AgreementThreshold;
        MaxExtraAnnotators = s.MaxExtraAnnotators;
        ConsensusVoteThreshold = s.ConsensusVoteThreshold;
        AnonymousAdjudication = s.AnonymousAdjudication;
        AuditRatePercent = s.AuditRatePercent;
        ReservationMinutes = s.ReservationMinutes;
        RelabelAgeDays = s.RelabelAgeDays;
        AuditSizing = s.AuditSizing;
        AuditMarginOfError = s.AuditMarginOfError;
        AuditConfidence = s.AuditConfidence;
        AuditMinPerStratum = s.AuditMinPerStratum;
        ShowGoldFeedback = s.ShowGoldFeedback;
        OnboardingGoldTasks = s.OnboardingGoldTasks;
        OnboardingThreshold = s.OnboardingThreshold;
        AutoPauseWindow = s.AutoPauseWindow;
        AutoPauseThreshold = s.AutoPauseThreshold;
    }
}

public sealed class ProjectMember
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public ProjectRole Role { get; set; }
    public DateTime AddedAt { get; set; }

    /// <summary>Why this annotator gets no new tasks (failed onboarding, auto-pause); None when they may label.</summary>
    public AnnotatorHold Hold { get; set; }

    /// <summary>The reason both the annotator and the QA lead see, e.g. "gold score 52 % over the last 10 gold tasks (needs 60 %)".</summary>
    public string? HoldReason { get; set; }

    public DateTime? HoldSince { get; set; }

    /// <summary>When the annotator passed onboarding or a QA lead let them start; null while onboarding is due.</summary>
    public DateTime? OnboardedAt { get; set; }

    public Project? Project { get; set; }
    public User? User { get; set; }
}

/// <summary>Annotator guidelines and reviewer instructions, versioned; a new edit is a new row.</summary>
public sealed class GuidelineVersion
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public int Number { get; set; }
    public required string Markdown { get; set; }
    public string? ReviewerInstructions { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid CreatedById { get; set; }
}

/// <summary>
/// A project's published tasks and how many of them are complete (<see cref="Queries.TaskQueries.IsComplete"/>), kept by
/// database triggers in the same statement as every change to a task or to an import's state, so progress is read, never
/// counted, while a person waits (docs/decisions/0019-task-counters.md). Checked against a recount nightly.
/// </summary>
public sealed class ProjectTaskCounter
{
    public Guid ProjectId { get; set; }
    public int Total { get; set; }
    public int Completed { get; set; }
}

/// <summary>
/// A project's published tasks with the same number of submitted answers, and how many of them are complete: the Overview's
/// overlap histogram, its "answered" and "in progress" figures, kept by database triggers in the same statement as every
/// change to a task or to an import's state (docs/decisions/0025-overview-counters.md). A row may fall to zero and stay.
/// </summary>
public sealed class ProjectOverlapCounter
{
    public Guid ProjectId { get; set; }

    /// <summary>The tasks' <see cref="LabelingTask.SubmittedCount"/>.</summary>
    public int Submitted { get; set; }

    public int Tasks { get; set; }

    /// <summary>Of <see cref="Tasks"/>, those complete (<see cref="Queries.TaskQueries.IsComplete"/>).</summary>
    public int Completed { get; set; }
}

/// <summary>
/// A project's annotations submitted on one day (UTC) and not skipped, counted on the day of their latest submit (a
/// resubmit moves them): the Overview's throughput, kept by database triggers on every write of an annotation
/// (docs/decisions/0025-overview-counters.md).
/// </summary>
public sealed class ProjectDayCounter
{
    public Guid ProjectId { get; set; }
    public DateOnly Day { get; set; }
    public int Submitted { get; set; }
}

/// <summary>
/// What waits in a project's queues for anyone (<see cref="Queries.QueueCounterQueries"/> says exactly what each column
/// counts), kept by database triggers in the same statement as every change to an annotation, a task or an import's state,
/// so the queue sizes on every project page are read, never counted (docs/decisions/0023-queue-counters.md). A viewer's
/// figure is this minus their own share (<see cref="ProjectUserQueueCounter"/>). Checked against a recount nightly.
/// </summary>
public sealed class ProjectQueueCounter
{
    public Guid ProjectId { get; set; }

    /// <summary>Submitted annotations the review policy picked for review.</summary>
    public int ReviewRequested { get; set; }

    /// <summary>Tasks waiting for adjudication.</summary>
    public int Adjudication { get; set; }

    /// <summary>Published open tasks the queue can hand out.</summary>
    public int Claimable { get; set; }
}

/// <summary>
/// One person's share of <see cref="ProjectQueueCounter"/>, which is not theirs to do: their own review-requested
/// submissions, the adjudication tasks and the claimable tasks they have any annotation on (a draft included). Kept by the
/// same triggers; a row exists once the person has had a share in the project.
/// </summary>
public sealed class ProjectUserQueueCounter
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public int ReviewRequested { get; set; }
    public int Adjudication { get; set; }
    public int Claimable { get; set; }
}
