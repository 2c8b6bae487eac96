namespace Portal.Core.Drift;

/// <summary>The six nightly drift checks; each finding is of one kind.</summary>
public enum DriftKind
{
    /// <summary>Work made under a label whose meaning changed since (split, deprecated, definition edited), not yet relabeled or confirmed.</summary>
    TaxonomyChange = 1,

    /// <summary>This window's label distribution differs from the baseline window's (chi-square and Jensen-Shannon).</summary>
    LabelDistributionShift = 2,

    /// <summary>The latest agreement figure fell below its own trend's lower control limit.</summary>
    AgreementDrop = 3,

    /// <summary>An annotator's rolling gold score fell against their own history and the project's.</summary>
    GoldAccuracyDrop = 4,

    /// <summary>Ground truth or accepted work older than the project's relabel age.</summary>
    Age = 5,

    /// <summary>An annotator disagrees with their own earlier answers on blind retests.</summary>
    IntraAnnotatorConsistency = 6,
}

public enum DriftSeverity
{
    Low = 1,
    Medium = 2,
    High = 3,
}

/// <summary>Open until someone acts: acknowledged (seen, being handled), resolved (its relabel tasks were done), dismissed (with a reason).</summary>
public enum DriftFindingState
{
    Open = 0,
    Acknowledged = 1,
    Resolved = 2,
    Dismissed = 3,
}

/// <summary>What a new finding of a check does, per the project's policy.</summary>
public enum DriftAction
{
    /// <summary>Shown on the drift page and in the notifications only.</summary>
    NotifyOnly = 0,

    /// <summary>Its affected items become relabel tasks (capped per night).</summary>
    CreateRelabelTasks = 1,

    /// <summary>Its affected annotations go to the review queue.</summary>
    SendToReview = 2,
}

/// <summary>Who gets a relabel task: the annotator of the original work, or another annotator of the project.</summary>
public enum RelabelTarget
{
    OriginalAnnotator = 0,
    AnotherAnnotator = 1,
}

public enum DriftRunState
{
    Running = 0,
    Succeeded = 1,
    Failed = 2,
}
