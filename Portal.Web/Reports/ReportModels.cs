using Portal.Core.Jobs;
using Portal.Core.Reports;

namespace Portal.Web.Reports;

/// <summary>What a report covers: the days (UTC, both included) and the sheets.</summary>
public sealed record ReportRequest(DateOnly From, DateOnly To, IReadOnlyList<ReportPart> Parts)
{
    public string Describe() => $"{From:yyyy-MM-dd} to {To:yyyy-MM-dd}: {string.Join(", ", Parts.Select(ReportDefinitions.Title))}";
}

/// <summary>A report in the history: who asked for it, when, for what, how far it is, and whether its file can still be downloaded.</summary>
public sealed record ReportView(
    Guid Id, RunState State, string Filters, string By, DateTime CreatedAt, DateTime? CompletedAt, long Rows, long Total, long Bytes, bool Downloadable, string? Message)
{
    /// <summary>Made by a scheduled report rather than asked for on the page.</summary>
    public bool Scheduled { get; init; }
}

public sealed class ReportOptions
{
    public const string Section = "Portal:Reports";

    /// <summary>Where finished workbooks are kept, relative to the content root.</summary>
    public string Path { get; set; } = "App_Data/reports";

    /// <summary>Workbooks older than this are deleted by the runs' retention sweep (the history keeps the entry).</summary>
    public int KeepDays { get; set; } = 30;

    /// <summary>Scheduled reports up to this size are attached to the managers' e-mail; larger ones are sent as a link only.</summary>
    public long MailAttachMaxBytes { get; set; } = 5_000_000;
}
