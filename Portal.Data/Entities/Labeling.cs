using Portal.Core.Labeling;

namespace Portal.Data.Entities;

/// <summary>One text to label. Named LabelingTask so it never collides with System.Threading.Tasks.Task.</summary>
public sealed class LabelingTask : IVersioned
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public string? ExternalId { get; set; }
    public required string ContentHash { get; set; }
    public required string Text { get; set; }
    public string? MetadataJson { get; set; }

    /// <summary>Label Studio's task id (as its JSON type) and text field, for an imported task; written back on export.</summary>
    public string? LabelStudioJson { get; set; }
    public int Priority { get; set; }
    public bool IsGold { get; set; }
    public TaskState State { get; set; }

    /// <summary>Annotators this task wants now (overlap, raised when agreement is low).</summary>
    public int TargetAnnotations { get; set; }

    /// <summary>Live reservations plus submitted/skipped annotations: the queue serves a task while below target.</summary>
    public int AssignedCount { get; set; }

    public int SubmittedCount { get; set; }

    /// <summary>
    /// True while the task can be handed out (AssignedCount &lt; TargetAnnotations), kept in step by every claim and
    /// release so the next-task query reads an index of claimable tasks only.
    /// </summary>
    public bool IsAvailable { get; set; } = true;

    /// <summary>The task's agreement when it was last evaluated (consensus routing; review and adjudication sort by it).</summary>
    public double? Agreement { get; set; }

    public Guid? ImportJobId { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// Set when a manager deletes the task (soft, restorable): it is then never served (IsAvailable false) and never
    /// counted (<see cref="Queries.TaskQueries.Published"/>).
    /// </summary>
    public DateTime? DeletedAt { get; set; }

    public Guid? DeletedById { get; set; }
    public int Version { get; set; }
}

/// <summary>A task handed to a user and held for them until it expires.</summary>
public sealed class Reservation
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long TaskId { get; set; }
    public Guid UserId { get; set; }
    public DateTime ReservedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

public sealed class Annotation : IVersioned
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long TaskId { get; set; }
    public Guid UserId { get; set; }

    /// <summary>0 for the first labeling; higher for relabel rounds of the same user.</summary>
    public int Round { get; set; }

    public Guid TaxonomyVersionId { get; set; }

    /// <summary>
    /// The label set the work was last labeled (submitted, relabeled) or confirmed under. A taxonomy migration moves
    /// <see cref="TaxonomyVersionId"/> on but never this: the drift check compares it with each label's definition history.
    /// </summary>
    public Guid? LabeledUnderVersionId { get; set; }

    /// <summary>The number of the project guidelines (Markdown) current when the work was last labeled.</summary>
    public int? GuidelineNumber { get; set; }

    public AnnotationStatus Status { get; set; }
    public string? SkipReason { get; set; }
    public string? ReviewComment { get; set; }

    /// <summary>The review policy picked this submission for the review queue; cleared by the review decision.</summary>
    public bool ReviewRequested { get; set; }

    /// <summary>Where the submitted answers came from (typed, an accepted suggestion, an import): audits stratify by it.</summary>
    public Portal.Core.Audits.AnnotationSource Source { get; set; }

    /// <summary>Milliseconds the annotator spent on the task.</summary>
    public long LeadTimeMs { get; set; }

    /// <summary>An imported annotation's Label Studio id, region ids and results Portal does not model, kept as written (<c>LabelStudioSource</c>).</summary>
    public string? LabelStudioJson { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public int Version { get; set; }

    public List<AnnotationSpan> Spans { get; set; } = [];
    public List<AnnotationAnswer> Answers { get; set; } = [];
    public List<AnnotationRevision> Revisions { get; set; } = [];
}

public sealed class AnnotationSpan
{
    public long Id { get; set; }
    public long AnnotationId { get; set; }
    public required string ControlName { get; set; }
    public Guid LabelKey { get; set; }

    /// <summary>UTF-16 offsets into the task text, end exclusive.</summary>
    public int Start { get; set; }

    public int End { get; set; }
}

public sealed class AnnotationAnswer
{
    public long Id { get; set; }
    public long AnnotationId { get; set; }
    public required string ControlName { get; set; }
    public Guid LabelKey { get; set; }
}

/// <summary>Append-only history: one row per change of an annotation, with a full snapshot of its result.</summary>
public sealed class AnnotationRevision
{
    public long Id { get; set; }
    public long AnnotationId { get; set; }
    public int Number { get; set; }
    public DateTime ChangedAt { get; set; }
    public Guid? ChangedById { get; set; }
    public RevisionReason Reason { get; set; }
    public AnnotationStatus Status { get; set; }
    public Guid TaxonomyVersionId { get; set; }
    public required string ResultJson { get; set; }
    public string? Note { get; set; }

    public Annotation? Annotation { get; set; }
}

/// <summary>Model or rule pre-annotations shown to annotators as suggestions.</summary>
public sealed class Prediction
{
    public long Id { get; set; }
    public long TaskId { get; set; }
    public required string ModelVersion { get; set; }
    public double? Score { get; set; }
    public required string ResultJson { get; set; }

    /// <summary>An imported prediction's Label Studio id, region ids and results Portal does not model (<c>LabelStudioSource</c>).</summary>
    public string? LabelStudioJson { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A task sent back for relabeling, with why (taxonomy split/deprecate, drift finding, age).</summary>
public sealed class RelabelItem
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long TaskId { get; set; }
    public long? AnnotationId { get; set; }
    public Guid? AssignedToUserId { get; set; }
    public required string Reason { get; set; }
    public string? Context { get; set; }
    public long? DriftFindingId { get; set; }

    /// <summary>The answer before the relabel (the original annotation's result when the task was created), as JSON.</summary>
    public string? PreviousResultJson { get; set; }

    /// <summary>Another annotator's annotation made on this relabel task (when the policy sends it to someone else).</summary>
    public long? RelabelAnnotationId { get; set; }

    /// <summary>Agreement of the relabel with the previous answer (mean of span F1 and answer agreement), set when it resolves.</summary>
    public double? Agreement { get; set; }

    /// <summary>True when the relabel changed the answer.</summary>
    public bool? Changed { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
}
