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

public enum RunState
{
    Queued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Cancelled = 4,

    /// <summary>Stopped until a person decides something (an import's unknown labels or annotators).</summary>
    Waiting = 5,
}
