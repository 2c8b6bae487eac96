using Microsoft.EntityFrameworkCore;
using Portal.Core.Reports;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Audits;
using Portal.Web.Drift;

namespace Portal.Web.Reports;

/// <summary>
/// The quality sheets (Annotators, Agreement, Audits, Drift, Guideline gaps), read through the services that own those
/// figures (they check the caller is a QA lead) and the nightly agreement snapshots.
/// </summary>
public sealed class QualitySheets(IDbContextFactory<PortalDbContext> factory, ScorecardService scorecards, AuditResultsService audits, DriftFindingsService drift)
{
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(PortalPrincipal user, Guid projectId, DateTime from, DateTime to, CancellationToken ct) =>
        (await scorecards.ListAsync(user, projectId, from, to, ct)).Rows.ToDictionary(r => r.UserId, r => r.Name);

    public async Task<ReportSheet> AnnotatorsAsync(PortalPrincipal user, Guid projectId, DateTime from, DateTime to, CancellationToken ct)
    {
        var list = await scorecards.ListAsync(user, projectId, from, to, ct);
        var rows = list.Rows.Select(r => new object?[]
        {
            r.Name, r.Submitted, r.Skipped, r.PerDay, r.MedianSeconds, r.Gold.Count, r.Gold.Count >= ReportDefinitions.MinItems ? r.Gold.Mean : null,
            r.Audit.Audited, r.Audit.ErrorRate?.Estimate, r.Audit.ErrorRate?.Low, r.Audit.ErrorRate?.High,
            r.Reviews.Reviewed, r.Reviews.Share(Core.Review.ReviewDecision.Accept), r.Reviews.Share(Core.Review.ReviewDecision.Reject), r.Hold.ToString(),
        }).ToList();
        var table = new ReportTable("Annotators", $"Scorecards, {Range(from, to)}: {list.Rows.Count} annotators",
            [
                new("Annotator", ColumnKind.Text), new("Submitted", ColumnKind.Count), new("Skipped", ColumnKind.Count), new("Per day", ColumnKind.Number),
                new("Median seconds per task", ColumnKind.Number), new("Gold tasks", ColumnKind.Count), new("Gold score", ColumnKind.Percent),
                new("Audited", ColumnKind.Count), new("Audit error rate", ColumnKind.Percent), new("Error rate low (95 %)", ColumnKind.Percent),
                new("Error rate high (95 %)", ColumnKind.Percent), new("Reviewed", ColumnKind.Count), new("Accepted share", ColumnKind.Percent),
                new("Rejected share", ColumnKind.Percent), new("Hold", ColumnKind.Text),
            ], rows, "No annotator worked in this project.");
        return new ReportSheet("Annotators", [$"Gold scores resting on fewer than {ReportDefinitions.MinItems} gold tasks are left empty."], [table],
            [new ReportChart(ChartKind.Column, "Submitted per annotator", "Annotators", 0, [1])]);
    }

    public async Task<ReportSheet> AgreementAsync(Guid projectId, DateOnly from, DateOnly to, IReadOnlyDictionary<Guid, string> names, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var snapshots = await db.AgreementSnapshots.AsNoTracking()
            .Where(s => s.ProjectId == projectId && s.Day >= from && s.Day <= to && (s.Measure == "krippendorffAlpha" || s.Measure == "spanF1Exact" || s.Measure == "cohenKappa"))
            .Select(s => new { s.Day, s.Measure, s.Key, s.Value, s.Units }).ToListAsync(ct);
        var overall = snapshots.Where(s => s.Measure != "cohenKappa" && !s.Key.Contains('|', StringComparison.Ordinal)).ToList();
        var trend = overall.GroupBy(s => s.Day).OrderBy(g => g.Key)
            .Select(g => new object?[] { g.Key, Enough(g.Where(s => s.Value is not null).Select(s => (s.Value!.Value, s.Units)).ToList()), g.Max(s => s.Units) }).ToList();
        var latest = snapshots.Count == 0 ? default : snapshots.Max(s => s.Day);
        var tables = new List<ReportTable>
        {
            new("AgreementTrend", $"Agreement per day ({trend.Count} days with a snapshot)", [new("Day", ColumnKind.Date), new("Agreement", ColumnKind.Coefficient), new("Tasks", ColumnKind.Count)],
                trend, "No agreement snapshot in this period (they are computed nightly)."),
            Matrix(snapshots.Where(s => s.Day == latest && s.Key.Contains("|pair:", StringComparison.Ordinal)).Select(s => (s.Key, s.Value, s.Units)), names, latest),
            PerLabel(snapshots.Where(s => s.Day == latest && s.Key.Contains("|label:", StringComparison.Ordinal)).Select(s => (s.Key, s.Value, s.Units)), latest),
        };
        return new ReportSheet("Agreement", ["1 means perfect agreement, 0 what chance alone would give."], tables,
            [new ReportChart(ChartKind.Line, "Agreement trend", "AgreementTrend", 0, [1])]);
    }

    /// <summary>The mean of a day's figures, weighted by the tasks each rests on; null when they rest on too few.</summary>
    private static double? Enough(IReadOnlyList<(double Value, int Units)> figures)
    {
        var units = figures.Sum(f => f.Units);
        return units < ReportDefinitions.MinItems ? null : figures.Sum(f => f.Value * f.Units) / units;
    }

    private static ReportTable Matrix(IEnumerable<(string Key, double? Value, int Units)> pairs, IReadOnlyDictionary<Guid, string> names, DateOnly day)
    {
        var values = new Dictionary<(Guid, Guid), List<double>>();
        foreach (var (key, value, units) in pairs)
        {
            var ids = key[(key.IndexOf("|pair:", StringComparison.Ordinal) + 6)..].Split('|');
            if (value is null || units < ReportDefinitions.MinItems || ids.Length != 2 || !Guid.TryParse(ids[0], out var a) || !Guid.TryParse(ids[1], out var b))
            {
                continue;
            }

            values.TryAdd((a, b), []);
            values[(a, b)].Add(value.Value);
        }

        var people = values.Keys.SelectMany(k => new[] { k.Item1, k.Item2 }).Distinct().OrderBy(p => names.GetValueOrDefault(p, "Former member"), StringComparer.CurrentCulture).ToList();
        string Name(Guid id) => names.GetValueOrDefault(id, "Former member");
        double? Cell(Guid a, Guid b) => a == b ? 1 : (values.GetValueOrDefault((a, b)) ?? values.GetValueOrDefault((b, a)))?.Average();
        return new ReportTable("PairwiseAgreement", $"Pairwise agreement on {day:yyyy-MM-dd} (pairs with at least {ReportDefinitions.MinItems} shared tasks)",
            [new("Annotator", ColumnKind.Text), .. people.Select(p => new ReportColumn(Name(p), ColumnKind.Coefficient))],
            [.. people.Select(a => (object?[])[Name(a), .. people.Select(b => (object?)Cell(a, b))])], "No pair of annotators shared enough tasks.") { ColorScale = true };
    }

    private static ReportTable PerLabel(IEnumerable<(string Key, double? Value, int Units)> labels, DateOnly day) => new(
        "LabelAgreement", $"Agreement per label on {day:yyyy-MM-dd} (exact span F1)",
        [new("Question", ColumnKind.Text), new("Label key", ColumnKind.Text), new("Agreement", ColumnKind.Coefficient), new("Tasks", ColumnKind.Count)],
        [.. labels.Select(l => new object?[] { l.Key[8..l.Key.IndexOf('|', StringComparison.Ordinal)], l.Key[(l.Key.IndexOf("|label:", StringComparison.Ordinal) + 7)..],
            l.Units >= ReportDefinitions.MinItems ? l.Value : null, l.Units })],
        "No per-label figures in this period.");

    public async Task<(ReportSheet Audits, ReportSheet Gaps)> AuditsAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        var results = await audits.GetAsync(user, projectId, ct);
        var annotators = new ReportTable("AuditErrorRates", $"Audit error rate per annotator (all audits, {results.Method} {results.Confidence:P0})",
            [new("Annotator", ColumnKind.Text), new("Audited", ColumnKind.Count), new("With errors", ColumnKind.Count), new("Error rate", ColumnKind.Percent), new("Low", ColumnKind.Percent), new("High", ColumnKind.Percent)],
            [.. results.Annotators.Select(r => new object?[] { r.Name, r.Reviewed, r.WithErrors, r.Interval.Estimate, r.Interval.Low, r.Interval.High })], "Nothing audited yet.");
        var types = new ReportTable("AuditErrorTypes", "Which errors audits found",
            [new("Error type", ColumnKind.Text), new("Marks", ColumnKind.Count), new("Items with it", ColumnKind.Count), new("Share of audited items", ColumnKind.Percent)],
            [.. results.ErrorTypes.Where(t => t.Errors > 0).Select(t => new object?[] { t.Name, t.Errors, t.Items.Successes, t.Items.Estimate })], "No errors found.");
        var runs = new ReportTable("AuditRuns", $"Audit runs (latest {AuditResultsService.RunsShown})",
            [new("Run", ColumnKind.Text), new("Trigger", ColumnKind.Text), new("State", ColumnKind.Text), new("Window start", ColumnKind.DateTime), new("Window end", ColumnKind.DateTime),
                new("Population", ColumnKind.Count), new("Sample", ColumnKind.Count), new("Reviewed", ColumnKind.Count), new("Waiting", ColumnKind.Count)],
            [.. results.Runs.Select(r => new object?[] { r.RunKey, r.Trigger.ToString(), r.State.ToString(), r.WindowStart, r.WindowEnd, r.Population, r.SampleSize, r.Reviewed, r.Waiting })], "No audit run yet.");
        var gaps = new ReportTable("GuidelineGaps", "What the guidelines don't answer: guideline-gap verdicts of audits, with the QA leads' notes",
            [new("Label", ColumnKind.Text), new("Task", ColumnKind.Id), new("Note", ColumnKind.Text)],
            [.. results.GuidelineGaps.SelectMany(g => g.Notes.Select(n => new object?[] { g.Label, n.TaskId, n.Note ?? "" }))], "No guideline gaps found by audits.");
        return (new ReportSheet("Audits", [results.AuditsOn ? "Audits are on for this project." : "Audits are off for this project."], [annotators, types, runs],
                [new ReportChart(ChartKind.Doughnut, "Error types", "AuditErrorTypes", 0, [1])]),
            new ReportSheet("Guideline gaps", [], [gaps], []));
    }

    public async Task<ReportSheet> DriftAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        var overview = await drift.OverviewAsync(user, projectId, includeClosed: true, ct);
        var findings = new ReportTable("DriftFindings", $"Drift findings ({overview.Findings.Count(f => f.IsOpen)} open)",
            [new("Check", ColumnKind.Text), new("Subject", ColumnKind.Text), new("Severity", ColumnKind.Text), new("State", ColumnKind.Text), new("Summary", ColumnKind.Text),
                new("Affected items", ColumnKind.Count), new("Relabel tasks", ColumnKind.Count), new("Relabelled", ColumnKind.Count), new("Detected", ColumnKind.DateTime), new("Last seen", ColumnKind.DateTime)],
            [.. overview.Findings.Select(f => new object?[] { f.Check, f.Subject, f.Severity.ToString(), f.State.ToString(), f.Summary, f.AffectedCount, f.RelabelCreated, f.RelabelDone, f.DetectedAt, f.LastSeenAt })],
            "No drift findings.");
        return new ReportSheet("Drift", [], [findings], []);
    }

    private static string Range(DateTime from, DateTime to) => $"{from:yyyy-MM-dd} to {to.AddTicks(-1):yyyy-MM-dd}";
}
