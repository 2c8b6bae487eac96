using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Reports;
using Portal.Core.Review;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Reports;

/// <summary>The manager's sheets about work done: Summary (KPIs against the previous period) and Progress (per day, per annotator per week).</summary>
public sealed class ProgressSheets(IDbContextFactory<PortalDbContext> factory)
{
    private sealed record Period(int Submitted, double PerDay, double? Agreement, int Audited, int AuditErrors);

    public async Task<ReportSheet> SummaryAsync(Guid projectId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var progress = (await db.ProgressAsync([projectId], ct)).GetValueOrDefault(projectId);
        var days = to.DayNumber - from.DayNumber + 1;
        var now = await PeriodAsync(db, projectId, from, to, ct);
        var before = await PeriodAsync(db, projectId, from.AddDays(-days), from.AddDays(-1), ct);
        var openDrift = await db.DriftFindings.CountAsync(f => f.ProjectId == projectId && (f.State == DriftFindingState.Open || f.State == DriftFindingState.Acknowledged), ct);
        double? Rate(Period p) => p.Audited < ReportDefinitions.MinItems ? null : (double)p.AuditErrors / p.Audited;
        double? Change(double? a, double? b) => a is { } x && b is { } y ? x - y : null;
        var rows = new List<object?[]>
        {
            new object?[] { "Tasks done", "count", progress.Completed, null, null },
            new object?[] { "Tasks remaining", "count", progress.Total - progress.Completed, null, null },
            new object?[] { "Annotations submitted", "count", now.Submitted, before.Submitted, now.Submitted - before.Submitted },
            new object?[] { "Throughput (per day)", "per day", now.PerDay, before.PerDay, now.PerDay - before.PerDay },
            new object?[] { "Agreement", "coefficient", now.Agreement, before.Agreement, Change(now.Agreement, before.Agreement) },
            new object?[] { "Audit error rate", "share", Rate(now), Rate(before), Change(Rate(now), Rate(before)) },
            new object?[] { "Open drift findings", "count (now)", openDrift, null, null },
        };
        var table = new ReportTable("Summary", $"Key figures, {from:yyyy-MM-dd} to {to:yyyy-MM-dd}, against the {days} days before",
            [new("Figure", ColumnKind.Text), new("Unit", ColumnKind.Text), new("This period", ColumnKind.Number), new("Previous period", ColumnKind.Number), new("Change", ColumnKind.Number)],
            rows, "");
        return new ReportSheet("Summary", [$"{progress.Completed:N0} of {progress.Total:N0} tasks done. Empty cells: no figure, or one resting on fewer than {ReportDefinitions.MinItems} items."], [table], []);
    }

    private static async Task<Period> PeriodAsync(PortalDbContext db, Guid projectId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (start, end) = (from.ToDateTime(TimeOnly.MinValue), to.AddDays(1).ToDateTime(TimeOnly.MinValue));
        var submitted = await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.SubmittedAt >= start && a.SubmittedAt < end && a.Status != AnnotationStatus.Skipped, ct);
        var agreement = await db.AgreementSnapshots.Where(s => s.ProjectId == projectId && s.Day >= from && s.Day <= to && s.Value != null
                && (s.Measure == "krippendorffAlpha" || s.Measure == "spanF1Exact") && !s.Key.Contains('|'))
            .Select(s => new { Value = s.Value!.Value, s.Units }).ToListAsync(ct);
        var units = agreement.Sum(a => a.Units);
        var audited = await db.AuditSamples.Where(s => s.ProjectId == projectId && s.Outcome != Core.Audits.AuditOutcome.Waiting && s.ReviewedAt >= start && s.ReviewedAt < end)
            .GroupBy(s => 1).Select(g => new { Count = g.Count(), Errors = g.Count(s => s.Outcome == Core.Audits.AuditOutcome.HasErrors) }).SingleOrDefaultAsync(ct);
        return new Period(submitted, (double)submitted / (to.DayNumber - from.DayNumber + 1), units < ReportDefinitions.MinItems ? null : agreement.Sum(a => a.Value * a.Units) / units,
            audited?.Count ?? 0, audited?.Errors ?? 0);
    }

    public async Task<ReportSheet> ProgressAsync(Guid projectId, DateOnly from, DateOnly to, IReadOnlyDictionary<Guid, string> names, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var (start, end) = (from.ToDateTime(TimeOnly.MinValue), to.AddDays(1).ToDateTime(TimeOnly.MinValue));
        var submitted = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.SubmittedAt >= start && a.SubmittedAt < end && a.Status != AnnotationStatus.Skipped)
            .Select(a => new { a.UserId, At = a.SubmittedAt!.Value }).ToListAsync(ct);
        var reviews = await db.Reviews.AsNoTracking().Where(r => r.CreatedAt >= start && r.CreatedAt < end && db.Annotations.Any(a => a.Id == r.AnnotationId && a.ProjectId == projectId))
            .Select(r => new { r.CreatedAt, r.Decision }).ToListAsync(ct);
        var adjudicated = await db.GroundTruths.AsNoTracking().Where(g => g.ProjectId == projectId && g.Source == GroundTruthSource.Adjudication && g.DecidedAt >= start && g.DecidedAt < end)
            .Select(g => g.DecidedAt).ToListAsync(ct);
        var gold = await db.GoldScores.AsNoTracking().Where(g => g.ProjectId == projectId && g.ScoredAt >= start && g.ScoredAt < end).Select(g => g.ScoredAt).ToListAsync(ct);
        int On<T>(IEnumerable<T> items, Func<T, DateTime> at, DateOnly day) => items.Count(i => DateOnly.FromDateTime(at(i)) == day);
        var perDay = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).Select(day => new object?[]
        {
            day, On(submitted, s => s.At, day), On(reviews, r => r.CreatedAt, day), On(reviews.Where(r => r.Decision != ReviewDecision.Reject), r => r.CreatedAt, day),
            On(reviews.Where(r => r.Decision == ReviewDecision.Reject), r => r.CreatedAt, day), On(adjudicated, a => a, day), On(gold, g => g, day),
        }).ToList();
        var weeks = submitted.GroupBy(s => (s.UserId, Week: Monday(s.At))).OrderBy(g => g.Key.Week).ThenBy(g => names.GetValueOrDefault(g.Key.UserId, "Former member"), StringComparer.CurrentCulture)
            .Select(g => new object?[] { g.Key.Week, ISOWeek.GetWeekOfYear(g.Key.Week.ToDateTime(TimeOnly.MinValue)), names.GetValueOrDefault(g.Key.UserId, "Former member"), g.Count() }).ToList();
        ReportTable daily = new("ProgressPerDay", $"Work per day ({submitted.Count:N0} annotations submitted, {reviews.Count:N0} reviews)",
            [new("Day", ColumnKind.Date), new("Submitted", ColumnKind.Count), new("Reviewed", ColumnKind.Count), new("Accepted", ColumnKind.Count), new("Rejected", ColumnKind.Count),
                new("Adjudicated", ColumnKind.Count), new("Gold scored", ColumnKind.Count)], perDay, "");
        ReportTable weekly = new("ProgressPerWeek", "Submitted per annotator per week (weeks start on Monday)",
            [new("Week of", ColumnKind.Date), new("ISO week", ColumnKind.Id), new("Annotator", ColumnKind.Text), new("Submitted", ColumnKind.Count)], weeks, "Nothing submitted in this period.");
        return new ReportSheet("Progress", [], [daily, weekly], [new ReportChart(ChartKind.Column, "Throughput: annotations submitted per day", "ProgressPerDay", 0, [1])]);
    }

    private static DateOnly Monday(DateTime at)
    {
        var day = DateOnly.FromDateTime(at);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }
}
