namespace Portal.Web.Drift;

// The evidence of each check, stored as JSON with its finding and drawn by the drift page. Names are resolved when the
// check runs (the page is for the project's managers and QA leads only).

/// <summary>Check 1: work made under a label whose meaning changed since, not yet relabeled or confirmed.</summary>
/// <param name="Change">"split", "deprecated" or "definition edited".</param>
/// <param name="Diff">The definition's changed lines, "- old" / "+ new" (empty for a split or a deprecation).</param>
public sealed record TaxonomyChangeEvidence(
    Guid LabelKey, string Label, string Change, int FromVersion, int ToVersion, DateTime ChangedAt, string? ChangedBy,
    IReadOnlyList<string> Diff, int Waiting, double OldestWaitDays, double MedianWaitDays);

/// <summary>Check 2: the label mix of a window against a baseline window, for the project or one annotator.</summary>
public sealed record DistributionEvidence(
    string Scope, Guid? AnnotatorId, DateTime BaselineStart, DateTime BaselineEnd, DateTime WindowStart, DateTime WindowEnd,
    int BaselineItems, int WindowItems, IReadOnlyList<DistributionBar> Labels, double ChiSquare, int DegreesOfFreedom, double PValue,
    double JsDistance, double PThreshold, double JsThreshold, int MinItems);

public sealed record DistributionBar(Guid LabelKey, string Label, int Baseline, int Window, double BaselineShare, double WindowShare);

/// <summary>Check 3: an agreement series from the nightly snapshots with its control band; the latest point fell below it.</summary>
/// <param name="Slice">What the figure is about, for people ("Sentiment: Krippendorff's alpha").</param>
/// <param name="Method">How the band is made ("EWMA, λ = 0.3, limits ± 3σ from the first 14 days").</param>
public sealed record AgreementTrendEvidence(
    string Measure, string Key, string Slice, string Method, IReadOnlyList<TrendPoint> Points, double Latest, double LowerLimit, double Center);

public sealed record TrendPoint(DateOnly Day, double? Value, double? Smoothed, double? Lower, double? Upper, int Units);

/// <summary>Check 4: an annotator's rolling gold score against their own history and the project's.</summary>
public sealed record GoldTrendEvidence(
    Guid AnnotatorId, string Annotator, int Window, IReadOnlyList<GoldPoint> Points, double Recent, double OwnBaseline, double ProjectMean,
    double Drop, double Threshold, int RecentItems, int BaselineItems, double? PValue);

public sealed record GoldPoint(DateTime At, double Score, double Rolling);

/// <summary>Check 5: ground truth and accepted work older than the project's relabel age.</summary>
public sealed record AgeEvidence(int RelabelAgeDays, int GroundTruthItems, int AcceptedItems, DateTime Oldest, double MedianAgeDays);

/// <summary>Check 6: an annotator's agreement with their former self on blind retests.</summary>
public sealed record RetestEvidence(
    Guid AnnotatorId, string Annotator, int Pairs, double? SpanF1, double? Kappa, double Agreement, double Threshold, int Changed,
    IReadOnlyList<RetestPair> Recent);

public sealed record RetestPair(long TaskId, DateTime OriginalAt, DateTime RetestAt, double Agreement);
