using Portal.Core.Audits;
using Portal.Core.ImportExport;

namespace Portal.Data.Entities;

/// <summary>
/// An import or export, its progress and outcome. Kept in Portal's tables (not only Hangfire's) so that a
/// restart with in-memory job storage can resume or rerun it.
/// </summary>
public sealed class DataJob : IVersioned
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public DataJobKind Kind { get; set; }
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
    public string? ResultPath { get; set; }

    /// <summary>Why the job failed, in words for the person who started it (file-level problems, refused sources).</summary>
    public string? Message { get; set; }

    /// <summary>What a <see cref="RunState.Waiting"/> import needs decided: unknown questions, labels and annotators.</summary>
    public string? PendingJson { get; set; }

    public long BytesTotal { get; set; }
    public long BytesDone { get; set; }

    /// <summary>Written while the job runs where the database allows it; a stale heartbeat lets another process resume the job.</summary>
    public DateTime? HeartbeatAt { get; set; }
    public string? HangfireJobId { get; set; }
    public Guid CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public int Version { get; set; }
}
