namespace Portal.Core.Labeling;

public enum AnnotationStatus
{
    Draft = 0,
    Submitted = 1,
    Skipped = 2,
    Rejected = 3,
    Accepted = 4,
}

/// <summary>Where a task stands in the workflow; the queue only serves <see cref="Open"/> tasks.</summary>
public enum TaskState
{
    Open = 0,
    Completed = 1,
    InReview = 2,
    Adjudication = 3,
    Done = 4,
}

/// <summary>Why an annotation revision was written (its history says who, when, what and why).</summary>
public enum RevisionReason
{
    Created = 0,
    Edit = 1,
    Submit = 2,
    Skip = 3,
    ReviewFix = 4,
    ReviewDecision = 5,
    TaxonomyMigration = 6,
    Adjudication = 7,
    Reopen = 8,
    Import = 9,

    /// <summary>A QA lead corrected the work while auditing it.</summary>
    Audit = 10,

    /// <summary>The work was labeled again on a relabel task (drift finding, age); the revision before it is the old answer.</summary>
    Relabel = 11,

    /// <summary>A manager or QA lead confirmed the work still holds under the changed label definitions.</summary>
    Confirm = 12,
}
