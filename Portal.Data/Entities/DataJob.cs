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
    public string? HangfireJobId { get; set; }
    public Guid CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public int Version { get; set; }
}
