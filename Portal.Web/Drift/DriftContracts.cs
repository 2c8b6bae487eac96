using Portal.Core.Drift;
using Portal.Data.Entities;

namespace Portal.Web.Drift;

/// <summary>
/// One of the six nightly checks. A check reads the project's data as it was before <see cref="DriftCheckContext.Now"/>
/// (so a rerun of a night finds the same), and returns what it found; the run stores the findings, applies the
/// project's policy and never lets one check's failure stop the others.
/// </summary>
public interface IDriftCheck
{
    DriftKind Kind { get; }

    Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct);
}

/// <param name="Now">The end of the night's window: checks read only what happened before it.</param>
/// <param name="RelabelAgeDays">The project's relabel age (the age check is off without one).</param>
public sealed record DriftCheckContext(Guid ProjectId, string RunKey, DateTime Now, DriftSettings Settings, int? RelabelAgeDays);

/// <summary>
/// What a check found. <paramref name="Subject"/> is stable across nights ("project", "annotator:GUID", "label:GUID",
/// "measure:NAME|KEY") so the same drift found again updates one finding. <paramref name="Evidence"/> is one of the
/// records in DriftEvidence.cs (serialized as JSON); <paramref name="Items"/> are the affected items, most urgent first,
/// at most <see cref="DriftLimits.MaxItemsPerFinding"/>; <paramref name="AffectedCount"/> counts all of them.
/// </summary>
public sealed record DriftFindingDraft(
    string Subject, DriftSeverity Severity, string Summary, double? Statistic, double? Threshold, double? PValue, object Evidence,
    int AffectedCount, IReadOnlyList<DriftItemDraft> Items);

/// <summary>An affected item: the task, the annotation to relabel (null when there is none, e.g. ground truth an adjudicator wrote), why.</summary>
public sealed record DriftItemDraft(long TaskId, long? AnnotationId, Guid? UserId, DateTime? Since, string Detail);

public static class DriftLimits
{
    /// <summary>A finding stores at most this many affected items (its count says how many there are in all).</summary>
    public const int MaxItemsPerFinding = 1000;

    /// <summary>Subjects for <see cref="DriftFindingDraft.Subject"/>.</summary>
    public static string Annotator(Guid userId) => $"annotator:{userId}";

    public static string LabelSubject(Guid labelKey) => $"label:{labelKey}";

    public static string Measure(string measure, string key) => $"measure:{measure}|{key}";

    public const string Project = "project";
}
