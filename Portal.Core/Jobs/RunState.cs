namespace Portal.Core.Jobs;

/// <summary>Where a durable run (an import, an export, and the audits, drift checks and reports to come) stands.</summary>
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
