using Portal.Core.Jobs;

namespace Portal.Data.Entities;

/// <summary>
/// One durable run (an import or an export today; audits, drift checks and reports are further kinds): its spec
/// (<see cref="OptionsJson"/>), state, progress, outcome, owner and heartbeat. Kept in Portal's tables (not only
/// Hangfire's) so that a restart or a crash resumes or reruns it. Several columns (counts, error report, pending
/// decisions) are the import's and export's outcome; a new kind reuses Processed/Total, Message and ResultPath.
/// </summary>
public sealed class DataJob : IVersioned
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public RunKind Kind { get; set; }
    public required string Format { get; set; }
    public RunState State { get; set; }
    public string? OptionsJson { get; set; }
    public string? SourceName { get; set; }

    /// <summary>Same request twice (double click, retried upload) gives one job.</summary>
    public required string IdempotencyKey { get; set; }

    public long Total { get; set; }
    public long Processed { get; set; }
    public long Succeeded { get; set; }
    public long Duplicates { get; set; }
    public long Rejected { get; set; }
    public string? ErrorReportJson { get; set; }

    /// <summary>An import's warnings and its Label Studio account (kept / converted / not representable), as JSON.</summary>
    public string? SummaryJson { get; set; }
    public string? ResultPath { get; set; }

    /// <summary>Why the job failed, in words for the person who started it (file-level problems, refused sources); for a finished import, what it warns about (long tasks).</summary>
    public string? Message { get; set; }

    /// <summary>What a <see cref="RunState.Waiting"/> import needs decided: unknown questions, labels and annotators.</summary>
    public string? PendingJson { get; set; }

    public long BytesTotal { get; set; }
    public long BytesDone { get; set; }

    /// <summary>Written while the job runs where the database allows it; a stale heartbeat lets another process resume the job.</summary>
    public DateTime? HeartbeatAt { get; set; }
    public string? HangfireJobId { get; set; }

    /// <summary>The process running it (<c>RunRegistry.Instance</c>); with <see cref="HeartbeatAt"/>, who to wait for before resuming.</summary>
    public string? Owner { get; set; }

    /// <summary>Set when someone cancels the run while another process owns it; the owner's heartbeat sees it and stops.</summary>
    public DateTime? CancelRequestedAt { get; set; }
    public Guid CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public int Version { get; set; }
}
