using System.Globalization;
using Portal.Core.Audits;
using Portal.Core.Drift;
using Portal.Core.Security;

namespace Portal.Web.Dashboard;

/// <summary>What the dashboard shows: a date range (whole UTC days, both ends included) and, optionally, one label-set version.</summary>
public sealed record DashboardFilter(DateOnly? From = null, DateOnly? To = null, Guid? TaxonomyVersionId = null);

/// <summary>A label-set version as the filter offers it.</summary>
public sealed record VersionOption(Guid Id, int Number, DateTime PublishedAt);

/// <summary>One night's figure of a series: its value, its confidence band when the measure has one, and how many items it rests on.</summary>
public sealed record TrendDay(DateOnly Day, double? Value, double? Low, double? High, int Units);

/// <summary>The nightly agreement of one slice (a question, or a label of a span question) in one measure.</summary>
public sealed record AgreementTrend(string Control, string? LabelKey, string Name, string Measure, IReadOnlyList<TrendDay> Days);

/// <summary>An annotator as the dashboard names them: "Annotator A, B…" for QA leads when the project anonymizes.</summary>
public sealed record DashboardPerson(Guid UserId, string Name);

/// <summary>The agreement of two annotators on one question, from the latest nightly snapshot.</summary>
public sealed record PairCell(string Control, string Measure, Guid A, Guid B, double? Value, int Units);

/// <summary>The pair figures of the latest snapshot in the filter, per question, with everyone they name.</summary>
public sealed record PairMatrix(DateOnly? Day, IReadOnlyList<DashboardPerson> People, IReadOnlyList<PairCell> Cells);

/// <summary>One label's span agreement on the latest snapshot in the filter.</summary>
public sealed record LabelAgreement(string Control, string LabelKey, string Name, double? Exact, double? Overlap, int Units);

/// <summary>A span question's unitizing alpha on the same snapshot (alpha_U is computed per question, not per label).</summary>
public sealed record ControlAlpha(string Control, double? AlphaU, int Units);

/// <summary>How often one annotator (or the whole project, <see cref="UserId"/> null) used each label of a question.</summary>
public sealed record LabelMixRow(Guid? UserId, string Name, int Total, IReadOnlyDictionary<string, int> Counts);

public sealed record LabelMix(string Control, IReadOnlyList<string> Labels, IReadOnlyList<LabelMixRow> Rows);

/// <summary>Everything the dashboard's first render needs, read in one call.</summary>
public sealed record QualityDashboard(
    string ProjectName, ProjectRole Role, bool Anonymous, DateOnly From, DateOnly To, Guid? TaxonomyVersionId,
    IReadOnlyList<VersionOption> Versions, IReadOnlyList<string> Controls, IReadOnlyList<DashboardPerson> Annotators,
    IReadOnlyList<AgreementTrend> Trends, PairMatrix Pairs, IReadOnlyList<LabelAgreement> Labels, IReadOnlyList<ControlAlpha> Alphas,
    LabelMix? Mix);

/// <summary>One task where two annotators disagreed: how much they agreed (0 to 1) and on what they differed.</summary>
public sealed record PairDisagreement(long TaskId, string Excerpt, double Score, IReadOnlyList<string> Differences);

/// <summary>Where the next page of a disagreement list starts: after this score and task (worst first, then by task).</summary>
public sealed record PairCursor(double Score, long TaskId);

/// <summary>A page of the tasks two annotators disagreed on, worst first.</summary>
/// <param name="SharedTasks">Tasks both submitted (gold tasks excluded, as in the nightly figures).</param>
/// <param name="Disagreed">Of those, tasks whose agreement is below the threshold.</param>
public sealed record PairDisagreementPage(
    string ProjectName, DashboardPerson A, DashboardPerson B, int SharedTasks, int Disagreed, double Threshold,
    IReadOnlyList<PairDisagreement> Rows, PairCursor? Next);

/// <summary>The audit panel: the latest run's error rate with its interval, and the rate per run (oldest first).</summary>
public sealed record AuditPanel(bool AuditsOn, int Reviewed, ProportionInterval? Latest, string? LatestRun, IReadOnlyList<AuditRunRate> Runs);

public sealed record AuditRunRate(string Run, ProportionInterval Rate);

/// <summary>The drift panel: open findings by check, and the most severe ones.</summary>
public sealed record DriftPanel(int Open, IReadOnlyList<DriftKindCount> ByKind, IReadOnlyList<DriftTopFinding> Top);

public sealed record DriftKindCount(DriftKind Kind, string Check, int Count);

public sealed record DriftTopFinding(long Id, string Check, string Subject, string Summary, DriftSeverity Severity);

public sealed record QualityPanels(AuditPanel Audits, DriftPanel Drift);

/// <summary>
/// How few items are too few, per figure, and how figures are written: a figure resting on fewer items says so instead
/// of showing a number (one nightly task more or less swings a small sample's agreement by tenths).
/// </summary>
public static class Sufficiency
{
    /// <summary>A nightly agreement figure needs this many tasks.</summary>
    public const int TrendMinimum = 20;

    /// <summary>A pair figure needs this many tasks (choice questions: tasks both answered; span questions: the night's tasks).</summary>
    public const int PairMinimum = 10;

    /// <summary>A label's agreement needs this many tasks.</summary>
    public const int LabelMinimum = 20;

    /// <summary>An annotator's label mix needs this many answers before their shares mean something.</summary>
    public const int MixMinimum = 30;

    /// <summary>An audit error rate needs this many audited items.</summary>
    public const int AuditMinimum = 10;

    public static bool Enough(int units, int minimum) => units >= minimum;

    /// <summary>"0.74", or "not enough data (12 items; needs 20)", or "–" when there is no figure.</summary>
    public static string Figure(double? value, int units, int minimum) => !Enough(units, minimum)
        ? string.Create(CultureInfo.InvariantCulture, $"not enough data ({units} items; needs {minimum})")
        : value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "–";

    public static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
