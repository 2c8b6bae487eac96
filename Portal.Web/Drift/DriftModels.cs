using System.Text.Json;
using Portal.Core.Drift;
using Portal.Core.Security;

namespace Portal.Web.Drift;

/// <summary>A finding as the drift page shows it, with its evidence read back into the check's record.</summary>
public sealed record DriftFindingView(
    long Id, DriftKind Kind, string Subject, DriftSeverity Severity, DriftFindingState State, string Summary,
    double? Statistic, double? Threshold, double? PValue, int AffectedCount, DriftAction ActionTaken, int RelabelCreated, int RelabelDone,
    double? RelabelAgreement, DateTime DetectedAt, DateTime LastSeenAt, string FirstRunKey, string LastRunKey,
    string? StateChangedBy, DateTime? StateChangedAt, string? DismissReason, object? Evidence, int Version)
{
    public string Check => DriftRunService.Describe(Kind);

    public bool IsOpen => State is DriftFindingState.Open or DriftFindingState.Acknowledged;

    /// <summary>The check's evidence record for <paramref name="kind"/>; null when the stored JSON is not one (never thrown at the page).</summary>
    public static object? ReadEvidence(DriftKind kind, string json)
    {
        var type = kind switch
        {
            DriftKind.TaxonomyChange => typeof(TaxonomyChangeEvidence),
            DriftKind.LabelDistributionShift => typeof(DistributionEvidence),
            DriftKind.AgreementDrop => typeof(AgreementTrendEvidence),
            DriftKind.GoldAccuracyDrop => typeof(GoldTrendEvidence),
            DriftKind.Age => typeof(AgeEvidence),
            DriftKind.IntraAnnotatorConsistency => typeof(RetestEvidence),
            _ => null,
        };
        try
        {
            return type is null || json.Length == 0 ? null : JsonSerializer.Deserialize(json, type, DriftFindingStore.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One affected item of a finding: the task, whose work, since when, why, and where its relabel task stands.</summary>
public sealed record DriftItemView(
    long TaskId, long? AnnotationId, string? Annotator, DateTime? Since, string Detail, string TextStart, RelabelProgress Relabel, double? RelabelAgreement);

public enum RelabelProgress
{
    None = 0,
    Waiting = 1,
    Done = 2,
}

/// <summary>Everything the drift page shows at first: the findings, the latest runs, today's room for relabel tasks, who is looking.</summary>
public sealed record DriftOverview(
    string ProjectName, IReadOnlyList<DriftFindingView> Findings, IReadOnlyList<DriftRunView> Runs, int RelabelRoomToday, int RelabelCap,
    ProjectRole Role);
