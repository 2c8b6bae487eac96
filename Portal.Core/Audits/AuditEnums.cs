namespace Portal.Core.Audits;

public enum AuditErrorType
{
    None = 0,
    WrongLabel = 1,
    Boundary = 2,
    MissedSpan = 3,
    SpuriousSpan = 4,
    GuidelineGap = 5,
}

/// <summary>Why an annotator gets no new tasks in a project until a QA lead decides.</summary>
public enum AnnotatorHold
{
    None = 0,

    /// <summary>Onboarding ended below the threshold: a QA lead lets them start or keeps them out.</summary>
    OnboardingFailed = 1,

    /// <summary>The rolling gold score fell below the project's threshold.</summary>
    Paused = 2,
}

/// <summary>Where an audited item stands.</summary>
public enum AuditOutcome
{
    Waiting = 0,
    Correct = 1,
    HasErrors = 2,
}

/// <summary>Whether an audit run was the nightly one or started by a QA lead.</summary>
public enum AuditTrigger
{
    Nightly = 0,
    OnDemand = 1,
}
