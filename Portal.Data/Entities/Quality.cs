using Portal.Core.Audits;
using Portal.Core.Jobs;
using Portal.Core.Review;

namespace Portal.Data.Entities;

public sealed class Review
{
    public long Id { get; set; }
    public long AnnotationId { get; set; }
    public Guid ReviewerId { get; set; }
    public ReviewDecision Decision { get; set; }
    public string? Comment { get; set; }

    /// <summary>The annotation version the reviewer saw; a stale one is a conflict.</summary>
    public int AnnotationVersion { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>The trusted result of a task, with provenance.</summary>
public sealed class GroundTruth : IVersioned
{
    public long Id { get; set; }
    public long TaskId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid TaxonomyVersionId { get; set; }
    public required string ResultJson { get; set; }

    /// <summary>An imported ground truth's Label Studio id, region ids and results Portal does not model (<c>LabelStudioSource</c>).</summary>
    public string? LabelStudioJson { get; set; }
    public GroundTruthSource Source { get; set; }

    /// <summary>The rule that produced it (e.g. "span-majority>=0.5"), when a rule did.</summary>
    public string? Rule { get; set; }

    public Guid? DecidedById { get; set; }
    public string? AgreeingAnnotatorsJson { get; set; }
    public double? Agreement { get; set; }

    /// <summary>Why an adjudicator changed what the annotators said (wrong label, boundary, …).</summary>
    public AuditErrorType ReasonCode { get; set; }

    public string? Note { get; set; }
    public DateTime DecidedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>The expected answer of a gold task: its ground truth when a manager or QA lead marked it as gold.</summary>
public sealed class GoldAnswer
{
    public long Id { get; set; }
    public long TaskId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The label set the answer was made under; scoring compares through the migration map to the current one.</summary>
    public Guid TaxonomyVersionId { get; set; }

    public required string ResultJson { get; set; }
    public Guid MarkedById { get; set; }
    public DateTime MarkedAt { get; set; }
}

/// <summary>One submission on a gold task, scored against the gold answer when it was submitted (a resubmission replaces it).</summary>
public sealed class GoldScoreEntry
{
    public long Id { get; set; }
    public long AnnotationId { get; set; }
    public long TaskId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }

    /// <summary>The task's score in [0, 1]: the mean over questions of exact span F1 or choice accuracy.</summary>
    public double Score { get; set; }

    public double? SpanF1Exact { get; set; }
    public double? SpanF1Overlap { get; set; }
    public double? ChoiceAccuracy { get; set; }

    /// <summary>Exact span F1 per label key, as JSON.</summary>
    public required string PerLabelJson { get; set; }

    public DateTime ScoredAt { get; set; }
}

/// <summary>What happened to a task on its way to ground truth (append-only provenance).</summary>
public sealed class TaskEvent
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long TaskId { get; set; }
    public DateTime At { get; set; }
    public TaskEventKind Kind { get; set; }

    /// <summary>The person who acted; null when a rule did.</summary>
    public Guid? ActorId { get; set; }

    public double? Agreement { get; set; }
    public required string Detail { get; set; }
}

/// <summary>
/// One annotator pair's shared tasks, each scored, as the nightly agreement run found them (<see cref="PairTaskScore"/>):
/// the pair list of the quality dashboard reads a page of them instead of scoring thousands of tasks while a manager
/// waits. Work changed since <see cref="ComputedAt"/> (or added after <see cref="MaxAnnotationId"/>) is scored live.
/// <see cref="UserA"/> is the pair's first id in ordinal string order, as in the snapshot keys.
/// </summary>
public sealed class PairScoreSet
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid UserA { get; set; }
    public Guid UserB { get; set; }

    /// <summary>The label set the results were mapped to; another one current means the scores are out of date.</summary>
    public Guid TaxonomyVersionId { get; set; }

    /// <summary>Taken before the run read the work: anything updated after it is scored again on reading.</summary>
    public DateTime ComputedAt { get; set; }

    /// <summary>The project's highest annotation id before the run read the work (imports keep their own dates).</summary>
    public long MaxAnnotationId { get; set; }

    /// <summary>How many <see cref="PairTaskScore"/> rows the set has: every task both submitted, agreeing ones too.</summary>
    public int SharedTasks { get; set; }
}

/// <summary>One shared task of a <see cref="PairScoreSet"/> with its score (GoldScoring.TaskScore: 1 is full agreement).</summary>
public sealed class PairTaskScore
{
    public long SetId { get; set; }
    public long TaskId { get; set; }
    public double Score { get; set; }
}

/// <summary>One agreement figure of one day; <see cref="Key"/> names the slice (label, annotator pair) so reruns replace.</summary>
public sealed class AgreementSnapshot
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public DateOnly Day { get; set; }
    public Guid? TaxonomyVersionId { get; set; }
    public required string Measure { get; set; }
    public required string Key { get; set; }
    public double? Value { get; set; }
    public double? Low { get; set; }
    public double? High { get; set; }
    public int Units { get; set; }
    public DateTime ComputedAt { get; set; }
}

/// <summary>
/// One audit run of a project: the work submitted in [<see cref="WindowStart"/>, <see cref="WindowEnd"/>) sampled by
/// annotator x label x source. The sample is a pure function of the run key and that work, so a rerun gives the same one.
/// </summary>
public sealed class AuditRun
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>Idempotency key, e.g. the night's date: one run per key.</summary>
    public required string RunKey { get; set; }

    public AuditTrigger Trigger { get; set; }
    public RunState State { get; set; }
    public AuditSizing Sizing { get; set; }
    public double Confidence { get; set; }
    public double MarginOfError { get; set; }
    public double Percent { get; set; }
    public int MinPerStratum { get; set; }
    public DateTime WindowStart { get; set; }
    public DateTime WindowEnd { get; set; }

    /// <summary>Submitted annotations in the window (the population).</summary>
    public int Population { get; set; }

    public int SampleSize { get; set; }

    /// <summary>Each annotator's plan (population, sample size, planning rate, margin, why), as JSON, shown on the results page.</summary>
    public string? PlanJson { get; set; }

    /// <summary>The durable run that computed it, when one did (on demand, nightly).</summary>
    public Guid? DataJobId { get; set; }

    public Guid? RequestedById { get; set; }
    public string? Message { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

/// <summary>One sampled annotation and the QA lead's verdict on it; its stratum is kept in columns so results group without joins.</summary>
public sealed class AuditSample
{
    public long Id { get; set; }
    public Guid AuditRunId { get; set; }
    public Guid ProjectId { get; set; }
    public long AnnotationId { get; set; }
    public long TaskId { get; set; }
    public Guid AnnotatorId { get; set; }

    /// <summary>The annotation's main label (the stratum's label); null when it has none.</summary>
    public Guid? LabelKey { get; set; }

    public AnnotationSource Source { get; set; }
    public required string Stratum { get; set; }

    /// <summary>The annotation version sampled; a verdict on a later version is a conflict, not an overwrite.</summary>
    public int AnnotationVersion { get; set; }

    public AuditOutcome Outcome { get; set; }
    public Guid? ReviewerId { get; set; }
    public string? Note { get; set; }

    /// <summary>The QA lead corrected the work (a revision with reason Audit).</summary>
    public bool Fixed { get; set; }

    /// <summary>The QA lead sent it back to the annotator with the note.</summary>
    public bool SentBack { get; set; }

    public DateTime? ReviewedAt { get; set; }

    public List<AuditSampleError> Errors { get; set; } = [];
}

/// <summary>One error a QA lead found in an audited item: its type, and the span or answer it is about.</summary>
public sealed class AuditSampleError
{
    public long Id { get; set; }
    public long AuditSampleId { get; set; }

    /// <summary>Copied from the sample so a label's guideline gaps and the error-type mix are read without joins.</summary>
    public Guid ProjectId { get; set; }

    public AuditErrorType ErrorType { get; set; }
    public string? ControlName { get; set; }

    /// <summary>The span label or choice value concerned (for a missed span, the label it should have had).</summary>
    public Guid? LabelKey { get; set; }

    public int? Start { get; set; }
    public int? End { get; set; }
    public string? Note { get; set; }
}
