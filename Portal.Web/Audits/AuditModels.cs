using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Audits;
using Portal.Core.Jobs;

namespace Portal.Web.Audits;

/// <summary>One stratum's share of a run's sample: how many of its items were submitted and how many are audited.</summary>
public sealed record StratumQuota(Guid Annotator, Guid? Label, AnnotationSource Source, int Population, int Quota)
{
    public AuditStratum Stratum => new(Annotator, Label, Source);
}

/// <summary>What an audit run decided before it sampled, kept with the run so that a resumed run samples exactly the same.</summary>
public sealed record AuditRunPlan(IReadOnlyList<AnnotatorPlan> Annotators, IReadOnlyList<StratumQuota> Strata)
{
    // A percentage plan has no planning rate or margin (NaN), which plain JSON cannot hold.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AuditRunPlan FromJson(string? json) =>
        json is null ? new AuditRunPlan([], []) : JsonSerializer.Deserialize<AuditRunPlan>(json, Json) ?? new AuditRunPlan([], []);
}

/// <summary>What a QA lead's "Run an audit now" did.</summary>
public sealed record AuditRunOutcome(string RunKey, RunState State, int Population, int SampleSize, string? Message);

/// <summary>An error rate (items with errors among audited items) with its interval, for one annotator, label or error type.</summary>
public sealed record ErrorRateRow(string Key, string Name, ProportionInterval Interval)
{
    public int Reviewed => Interval.Trials;

    public int WithErrors => Interval.Successes;
}

public sealed record AnnotatorPlanRow(string Annotator, int Population, int SampleSize, string Reason);

public sealed record AuditRunRow(
    string RunKey, AuditTrigger Trigger, RunState State, DateTime WindowStart, DateTime WindowEnd, int Population, int SampleSize, int Reviewed, int Waiting,
    string? Message, DateTime CreatedAt, IReadOnlyList<AnnotatorPlanRow> Plan);

/// <summary>An annotator's error rate in one run (a point of the trend); <paramref name="Run"/> names the run for a reader.</summary>
public sealed record TrendPoint(string Run, string Annotator, ProportionInterval Interval);

/// <summary>How often an error type was found: the items that had it, and all its marks.</summary>
public sealed record ErrorTypeRow(AuditErrorType Type, string Name, int Errors, ProportionInterval Items);

public sealed record GuidelineGapNote(long TaskId, string? Note);

/// <summary>"What the guidelines don't answer": a label's guideline-gap verdicts with the QA leads' notes.</summary>
public sealed record GuidelineGapGroup(string Label, IReadOnlyList<GuidelineGapNote> Notes);

public sealed record AuditResults(
    bool AuditsOn, string Sizing, double Confidence, string Method, int Waiting,
    IReadOnlyList<AuditRunRow> Runs, IReadOnlyList<ErrorRateRow> Annotators, IReadOnlyList<ErrorRateRow> Labels, IReadOnlyList<ErrorTypeRow> ErrorTypes,
    IReadOnlyList<TrendPoint> Trend, IReadOnlyList<GuidelineGapGroup> GuidelineGaps);
