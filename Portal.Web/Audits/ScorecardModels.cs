using System.Globalization;
using Portal.Core.Audits;
using Portal.Core.Review;

namespace Portal.Web.Audits;

/// <summary>An annotator's gold results: in the range (count, mean, the last scores as a trend) and the rolling score auto-pause reads.</summary>
/// <param name="Rolling">The mean of the last <paramref name="RollingWindow"/> gold scores of all time, as auto-pause sees it.</param>
public sealed record GoldSummary(int Count, double? Mean, double? Rolling, int RollingWindow, IReadOnlyList<GoldPoint> Trend);

public sealed record GoldPoint(DateTime At, double Score);

/// <summary>Audited items in the range, the share with errors and its interval (Wilson 95 %), and which errors were found.</summary>
public sealed record AuditSummary(int Audited, int WithErrors, ProportionInterval? ErrorRate, IReadOnlyList<ErrorTypeCount> ErrorTypes);

public sealed record ErrorTypeCount(AuditErrorType Type, int Count);

/// <summary>Review decisions on the annotator's work in the range.</summary>
public sealed record ReviewRates(int Accepted, int Fixed, int Rejected)
{
    public int Reviewed => Accepted + Fixed + Rejected;

    public double? Share(ReviewDecision decision) => Reviewed == 0 ? null : decision switch
    {
        ReviewDecision.Accept => (double)Accepted / Reviewed,
        ReviewDecision.FixAndAccept => (double)Fixed / Reviewed,
        _ => (double)Rejected / Reviewed,
    };
}

/// <summary>
/// The annotator's work compared with the ground truth of the same tasks, over their latest <paramref name="Bound"/> such tasks:
/// the share that matched exactly and the mean score (span F1 and answer accuracy, as gold tasks are scored).
/// </summary>
public sealed record ConsensusAgreement(int Tasks, double? ExactShare, double? MeanScore, int Bound);

/// <summary>One row of the scorecard list, and the figures at the top of a scorecard.</summary>
/// <param name="Name">The person's name, or "Annotator A" when the project anonymizes and the viewer is not that person.</param>
/// <param name="PerDay">Submitted tasks per calendar day of the range.</param>
/// <param name="MedianSeconds">Median time on a submitted task, in seconds.</param>
public sealed record ScorecardFigures(
    Guid UserId, string Name, int Submitted, int Skipped, double PerDay, double? MedianSeconds, GoldSummary Gold, AuditSummary Audit,
    ReviewRates Reviews, AnnotatorHold Hold, string? HoldReason, DateTime? HoldSince);

public sealed record ScorecardList(string ProjectName, DateTime From, DateTime To, bool Anonymous, IReadOnlyList<ScorecardFigures> Rows);

public sealed record ThroughputBucket(DateOnly Start, int Count);

/// <summary>Something that happened to the person in this project: a pause, a resume, onboarding, an audit verdict on their work.</summary>
public sealed record PersonEvent(DateTime At, string What, string By, string? Details);

/// <summary>One annotator's scorecard.</summary>
/// <param name="BucketDays">1 when <paramref name="Throughput"/> counts per day, 7 when per week (ranges over a month).</param>
public sealed record Scorecard(
    string ProjectName, DateTime From, DateTime To, bool Anonymous, bool IsSelf, ScorecardFigures Figures, ConsensusAgreement Agreement,
    IReadOnlyList<ThroughputBucket> Throughput, int BucketDays, IReadOnlyList<PersonEvent> History);

/// <summary>How scorecards write their figures, one way everywhere.</summary>
public static class ScorecardText
{
    public static string Percent(double? share) =>
        share is { } s ? (s * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "–";

    /// <summary>"4.2 % (2.1–7.9 %, Wilson 95 %)": the estimate, its interval and the method that made it.</summary>
    public static string Interval(ProportionInterval? interval) => interval is null ? "not audited yet" : string.Create(CultureInfo.InvariantCulture,
        $"{interval.Estimate * 100:0.0} % ({interval.Low * 100:0.0}–{interval.High * 100:0.0} %, {interval.Method.Split(' ')[0]} {interval.Confidence * 100:0.#} %)");

    public static string ErrorType(AuditErrorType type) => AuditResultsService.ErrorTypeName(type);

    public static string Seconds(double? seconds) => seconds switch
    {
        null => "–",
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.0} min"),
    };
}
