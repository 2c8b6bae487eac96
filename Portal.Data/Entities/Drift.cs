using Portal.Core.Drift;

namespace Portal.Data.Entities;

/// <summary>
/// One night's drift checks of a project. A rerun of a finished key does nothing; a run left unfinished (a crash, a
/// failure) runs the checks not in <see cref="CompletedChecks"/> again (each check writes its findings idempotently).
/// </summary>
public sealed class DriftRun
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The night, "yyyy-MM-dd", or "on-demand-…Z": one run per key.</summary>
    public required string RunKey { get; set; }

    public DriftRunState State { get; set; }

    /// <summary>The checks done, as their <see cref="DriftKind"/> numbers separated by commas.</summary>
    public string CompletedChecks { get; set; } = "";

    public int NewFindings { get; set; }
    public Guid? RequestedById { get; set; }
    public string? Message { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

/// <summary>
/// A drift one check found, with its evidence. The same drift seen again on later nights updates the open finding
/// (<see cref="LastRunKey"/>, evidence) instead of adding another; a rerun of a night changes nothing.
/// </summary>
public sealed class DriftFinding : IVersioned
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The night that first found it.</summary>
    public required string RunKey { get; set; }

    /// <summary>The latest night that found it again.</summary>
    public required string LastRunKey { get; set; }

    public DriftKind Kind { get; set; }

    /// <summary>What drifted, stable across nights: "project", "annotator:GUID", "label:GUID", "measure:NAME|KEY".</summary>
    public required string Subject { get; set; }

    public DriftSeverity Severity { get; set; }
    public DriftFindingState State { get; set; }

    /// <summary>One sentence a manager reads first, e.g. "Ben's label mix moved: JS distance 0.31, p &lt; 0.001 over 220 items".</summary>
    public required string Summary { get; set; }

    public double? Statistic { get; set; }
    public double? Threshold { get; set; }
    public double? PValue { get; set; }

    /// <summary>The check's evidence record (figures, windows, series for the charts), as JSON; its type follows <see cref="Kind"/>.</summary>
    public required string EvidenceJson { get; set; }

    /// <summary>All affected items (the stored list is capped; this is the full count).</summary>
    public int AffectedCount { get; set; }

    /// <summary>What the policy did when it was found.</summary>
    public DriftAction ActionTaken { get; set; }

    public int RelabelItemsCreated { get; set; }
    public DateTime DetectedAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    public DateTime? StateChangedAt { get; set; }
    public Guid? StateChangedById { get; set; }

    /// <summary>Why it was dismissed (required then).</summary>
    public string? DismissReason { get; set; }

    public int Version { get; set; }
}

/// <summary>One item a finding is about: a task, the annotation concerned when there is one, and why.</summary>
public sealed class DriftFindingItem
{
    public long Id { get; set; }
    public long DriftFindingId { get; set; }
    public Guid ProjectId { get; set; }
    public long TaskId { get; set; }
    public long? AnnotationId { get; set; }

    /// <summary>The annotator of the annotation, when there is one.</summary>
    public Guid? UserId { get; set; }

    /// <summary>When the work was done (how long it has waited since the change, how old it is).</summary>
    public DateTime? Since { get; set; }

    public required string Detail { get; set; }

    /// <summary>The relabel task made from this item, once one is.</summary>
    public long? RelabelItemId { get; set; }
}

/// <summary>A project's drift policy: windows, thresholds, and what each check's findings do. One row per project, made on first use.</summary>
public sealed class DriftSettings : IVersioned
{
    public Guid ProjectId { get; set; }

    public bool TaxonomyCheck { get; set; } = true;
    public bool DistributionCheck { get; set; } = true;
    public bool AgreementCheck { get; set; } = true;
    public bool GoldCheck { get; set; } = true;
    public bool AgeCheck { get; set; } = true;
    public bool RetestCheck { get; set; } = true;

    public DriftAction TaxonomyAction { get; set; } = DriftAction.NotifyOnly;
    public DriftAction DistributionAction { get; set; } = DriftAction.NotifyOnly;
    public DriftAction AgreementAction { get; set; } = DriftAction.NotifyOnly;
    public DriftAction GoldAction { get; set; } = DriftAction.NotifyOnly;
    public DriftAction AgeAction { get; set; } = DriftAction.NotifyOnly;
    public DriftAction RetestAction { get; set; } = DriftAction.NotifyOnly;

    /// <summary>At most this many relabel tasks are made per night (all checks together).</summary>
    public int RelabelCapPerNight { get; set; } = 200;

    public RelabelTarget RelabelTarget { get; set; } = RelabelTarget.OriginalAnnotator;

    /// <summary>Distribution shift: the window compared is the last <see cref="WindowDays"/> days...</summary>
    public int WindowDays { get; set; } = 7;

    /// <summary>...against the <see cref="BaselineDays"/> days before it.</summary>
    public int BaselineDays { get; set; } = 28;

    /// <summary>A shift is a finding when the chi-square p-value is below this...</summary>
    public double ShiftPValue { get; set; } = 0.01;

    /// <summary>...and the Jensen-Shannon distance (base 2, in [0, 1]) is at least this...</summary>
    public double ShiftJsDistance { get; set; } = 0.1;

    /// <summary>...and both windows hold at least this many labeled items.</summary>
    public int ShiftMinItems { get; set; } = 30;

    /// <summary>Agreement drop: EWMA smoothing weight λ and control-limit width L (in standard deviations).</summary>
    public double EwmaLambda { get; set; } = 0.3;

    public double EwmaWidth { get; set; } = 3;

    /// <summary>Gold drop: the rolling window (gold submissions) and the drop (absolute, in score) that makes a finding.</summary>
    public int GoldWindow { get; set; } = 10;

    public double GoldDrop { get; set; } = 0.15;

    /// <summary>Test-retest: the percentage of an annotator's next tasks that are retests of their own work...</summary>
    public int RetestRatePercent { get; set; } = 2;

    /// <summary>...made at least this many days ago...</summary>
    public int RetestMinDays { get; set; } = 14;

    /// <summary>...and agreement with their former self below this is a finding (once they have <see cref="RetestMinPairs"/> retests).</summary>
    public double RetestThreshold { get; set; } = 0.7;

    public int RetestMinPairs { get; set; } = 5;

    public int Version { get; set; }
}

/// <summary>
/// One version of a label's guideline (definition, examples, counter-examples): a new row for each published edit, with
/// who, when and the label-set version it took effect in. Annotations made under an earlier one are checked for drift.
/// </summary>
public sealed class LabelDefinitionVersion
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid LabelKey { get; set; }

    /// <summary>1 for the label's first definition, then 2, 3, … per label.</summary>
    public int Number { get; set; }

    /// <summary>The label-set version this definition was published in.</summary>
    public Guid TaxonomyVersionId { get; set; }

    public string? Description { get; set; }
    public string? Examples { get; set; }
    public string? CounterExamples { get; set; }
    public Guid ChangedById { get; set; }
    public DateTime ChangedAt { get; set; }
}

/// <summary>
/// A blind retest: one of an annotator's own items from at least N days ago, served again like any task. The answer
/// is kept here, never in the annotation or the ground truth; the nightly check compares it with the original.
/// </summary>
public sealed class Retest : IVersioned
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long TaskId { get; set; }
    public Guid UserId { get; set; }
    public long OriginalAnnotationId { get; set; }

    /// <summary>The original answer when the retest was served, as JSON.</summary>
    public required string OriginalResultJson { get; set; }

    public DateTime OriginalSubmittedAt { get; set; }
    public DateTime ServedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public string? DraftJson { get; set; }
    public string? ResultJson { get; set; }
    public DateTime? SubmittedAt { get; set; }

    /// <summary>Skipped, or expired unanswered: it is not served again.</summary>
    public DateTime? ClosedAt { get; set; }

    public int Version { get; set; }
}

/// <summary>An in-app notification (the bell); <see cref="Key"/> makes a repeated notice of the same thing one row.</summary>
public sealed class Notification
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public Guid? ProjectId { get; set; }
    public required string Key { get; set; }
    public required string Title { get; set; }
    public string? Body { get; set; }

    /// <summary>A local link ("/projects/…/drift#finding-12").</summary>
    public string? Link { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }

    /// <summary>When it went out in an e-mail digest; null while it has not.</summary>
    public DateTime? EmailedAt { get; set; }
}
