using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data;
using Portal.Data.Entities;
using static Portal.Web.Drift.DriftNames;

namespace Portal.Web.Drift;

/// <summary>
/// Check 3: has agreement fallen below the project's own trend? For each question (control) the headline figure of the
/// nightly agreement snapshots — exact span F1 for span questions, Krippendorff's alpha for choice questions — over the
/// last <see cref="SeriesDays"/> days before the night is drawn as an EWMA control chart (λ = <see cref="DriftSettings.EwmaLambda"/>,
/// limits ± <see cref="DriftSettings.EwmaWidth"/> σ). The center and σ come from the first half of the days that have a
/// figure (at least 7), the rest is monitored; a finding when the latest smoothed value is below the lower limit. A
/// series needs <see cref="MinPoints"/> days with a figure; days without one are skipped, not counted as zero.
/// <para>
/// Severity, by how far the smoothed value is below the lower limit in widths of the band's lower half: High at one
/// width or more (twice as far from the center as the limit), Medium at half a width, Low otherwise.
/// </para>
/// <para>
/// The affected items are the tasks whose annotators disagreed: tasks with work submitted in the last
/// <see cref="DriftSettings.WindowDays"/> days whose agreement is below the project's agreement threshold, lowest first,
/// at most <see cref="MaxItems"/>. The task's agreement is its latest evaluation (tasks keep no history of it).
/// </para>
/// </summary>
public sealed class AgreementDropCheck(IDbContextFactory<PortalDbContext> factory) : IDriftCheck
{
    public const int MinPoints = 8;
    public const int SeriesDays = 90;
    public const int MaxItems = 200;

    /// <summary>The headline measure of a span question and of a choice question (as AgreementSnapshotJob names them).</summary>
    public const string SpanMeasure = "spanF1Exact";

    public const string ChoiceMeasure = "krippendorffAlpha";

    public DriftKind Kind => DriftKind.AgreementDrop;

    public async Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(context.Now);
        var from = today.AddDays(-SeriesDays);
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.AgreementSnapshots.AsNoTracking()
            .Where(s => s.ProjectId == context.ProjectId && s.Day >= from && s.Day < today)
            .Where(s => (s.Measure == SpanMeasure || s.Measure == ChoiceMeasure) && s.Key.StartsWith("control:") && !s.Key.Contains('|'))
            .Select(s => new { s.Measure, s.Key, s.Day, s.Value, s.Units })
            .ToListAsync(ct);
        var findings = new List<DriftFindingDraft>();
        LowAgreement? tasks = null;
        foreach (var series in rows.GroupBy(r => (r.Measure, r.Key)).OrderBy(g => g.Key.Key, StringComparer.Ordinal).ThenBy(g => g.Key.Measure, StringComparer.Ordinal))
        {
            var byDay = series.ToDictionary(r => r.Day, r => (r.Value, r.Units));
            var present = byDay.Values.Count(v => v.Value is { } x && double.IsFinite(x));
            if (present < MinPoints)
            {
                continue;
            }

            var first = byDay.Keys.Min();
            var days = Enumerable.Range(0, byDay.Keys.Max().DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
            var values = days.Select(d => byDay.TryGetValue(d, out var v) ? v.Value : null).ToList();
            var baseline = Math.Max(MinPoints - 1, present / 2);
            var chart = EwmaChart.FromBaseline(values, context.Settings.EwmaLambda, context.Settings.EwmaWidth, baseline);
            if (!chart.LatestBelowLower)
            {
                continue;
            }

            tasks ??= await LowAgreementAsync(db, context, ct);
            var points = days.Select((d, i) => new TrendPoint(d, chart.Points[i].Value, chart.Points[i].Smoothed, chart.Points[i].Lower, chart.Points[i].Upper,
                byDay.TryGetValue(d, out var v) ? v.Units : 0)).ToList();
            findings.Add(Draft(series.Key.Measure, series.Key.Key, chart, points, tasks, context.Settings));
        }

        return findings;
    }

    private sealed record LowAgreement(double Threshold, int Count, List<DriftItemDraft> Items);

    private static async Task<LowAgreement> LowAgreementAsync(PortalDbContext db, DriftCheckContext context, CancellationToken ct)
    {
        var threshold = await db.Projects.Where(p => p.Id == context.ProjectId).Select(p => p.AgreementThreshold).SingleAsync(ct);
        var since = context.Now.AddDays(-context.Settings.WindowDays);
        var recent = SubmittedWork(db, context.ProjectId).Where(a => a.SubmittedAt >= since && a.SubmittedAt < context.Now)
            .GroupBy(a => a.TaskId).Select(g => new { TaskId = g.Key, Last = g.Max(a => a.SubmittedAt) });
        var low = from r in recent
                  join t in db.Tasks on r.TaskId equals t.Id
                  where t.Agreement != null && t.Agreement < threshold
                  select new { t.Id, Agreement = t.Agreement!.Value, r.Last };
        var count = await low.CountAsync(ct);
        var items = await low.OrderBy(t => t.Agreement).ThenBy(t => t.Id).Take(MaxItems).ToListAsync(ct);
        return new LowAgreement(threshold, count, [.. items.Select(t => new DriftItemDraft(t.Id, null, null, t.Last,
            $"Agreement {N(t.Agreement)} on this task (the project's bar is {N(threshold)})"))]);
    }

    private static DriftFindingDraft Draft(string measure, string key, EwmaChartResult chart, List<TrendPoint> points, LowAgreement tasks, DriftSettings settings)
    {
        var latest = chart.Latest!;
        var control = key["control:".Length..];
        var figure = measure == SpanMeasure ? "exact span F1" : "Krippendorff's alpha";
        var method = $"EWMA, λ = {N(chart.Lambda, "0.##")}, limits ± {N(chart.Width, "0.##")}σ from the first {chart.BaselinePoints} days with a figure " +
            $"(mean {N(chart.Center)}, σ {N(chart.Sigma, "0.000")})";
        var halfWidth = chart.Center - latest.Lower!.Value;
        var below = halfWidth > 0 ? (latest.Lower.Value - latest.Smoothed!.Value) / halfWidth : double.PositiveInfinity;
        var severity = below >= 1 ? DriftSeverity.High : below >= 0.5 ? DriftSeverity.Medium : DriftSeverity.Low;
        var summary = $"Agreement on {control} ({figure}) fell to {N(latest.Value!.Value)}; its trend, {N(latest.Smoothed!.Value)}, is below the lower " +
            $"control limit {N(latest.Lower.Value)} (usual level {N(chart.Center)}). {Count(tasks.Count, "task", "tasks")} done in the last " +
            $"{settings.WindowDays} days have agreement below {N(tasks.Threshold)}.";
        var evidence = new AgreementTrendEvidence(measure, key, $"{control}: {figure}", method, points, latest.Smoothed.Value, latest.Lower.Value, chart.Center);
        return new DriftFindingDraft(DriftLimits.Measure(measure, key), severity, summary, latest.Smoothed.Value, latest.Lower.Value, null, evidence,
            tasks.Count, tasks.Items);
    }
}
