using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Jobs;

namespace Portal.Web.Audits;

/// <summary>
/// What the audits found, for QA leads and managers: error rates per annotator, label and error type with their Wilson
/// score intervals, the trend over runs, the runs with their plans, and the guideline gaps per label. Every figure is a
/// GROUP BY in the database; only the groups come back. Annotators are "Annotator A, B…" when the project anonymizes.
/// </summary>
public sealed class AuditResultsService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access)
{
    /// <summary>The runs listed on the results page, newest first.</summary>
    public const int RunsShown = 50;

    /// <summary>The newest guideline-gap notes listed per page.</summary>
    public const int GapNotesShown = 500;

    public async Task<AuditResults> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new { p.AuditSizing, p.AuditRatePercent, p.AuditMarginOfError, p.AuditConfidence, p.AuditMinPerStratum, p.AnonymousAdjudication })
            .SingleAsync(ct);
        var confidence = project.AuditConfidence;
        var samples = db.AuditSamples.Where(s => s.ProjectId == projectId);
        var reviewed = samples.Where(s => s.Outcome != AuditOutcome.Waiting);

        var byAnnotator = await reviewed.GroupBy(s => s.AnnotatorId)
            .Select(g => new { g.Key, Reviewed = g.Count(), Errors = g.Count(s => s.Outcome == AuditOutcome.HasErrors) }).ToListAsync(ct);
        var byLabel = await reviewed.GroupBy(s => s.LabelKey)
            .Select(g => new { g.Key, Reviewed = g.Count(), Errors = g.Count(s => s.Outcome == AuditOutcome.HasErrors) }).ToListAsync(ct);
        var byRun = await samples.GroupBy(s => new { s.AuditRunId, s.AnnotatorId })
            .Select(g => new RunCounts(g.Key.AuditRunId, g.Key.AnnotatorId, g.Count(s => s.Outcome != AuditOutcome.Waiting),
                g.Count(s => s.Outcome == AuditOutcome.HasErrors), g.Count(s => s.Outcome == AuditOutcome.Waiting))).ToListAsync(ct);
        var runs = await db.AuditRuns.AsNoTracking().Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.WindowEnd).ThenByDescending(r => r.CreatedAt).Take(RunsShown).ToListAsync(ct);
        var plans = runs.ToDictionary(r => r.Id, r => AuditRunPlan.FromJson(r.PlanJson));

        var names = await AnnotatorNamesAsync(db, projectId, project.AnonymousAdjudication,
            [.. byRun.Select(r => r.Annotator), .. plans.Values.SelectMany(p => p.Annotators).Select(a => a.Annotator)], ct);
        var gaps = await GuidelineGapsAsync(db, projectId, ct);
        var labelNames = await LabelNamesAsync(db, [.. byLabel.Select(l => l.Key), .. gaps.Select(g => g.LabelKey)], ct);
        var totalReviewed = byAnnotator.Sum(a => a.Reviewed);

        return new AuditResults(
            !AuditRunService.AuditsOff(project.AuditSizing, project.AuditRatePercent),
            SizingText(project.AuditSizing, project.AuditRatePercent, project.AuditMarginOfError, confidence, project.AuditMinPerStratum),
            confidence, Proportions.WilsonName, byRun.Sum(r => r.Waiting),
            [.. runs.Select(r => new AuditRunRow(r.RunKey, r.Trigger, r.State, r.WindowStart, r.WindowEnd, r.Population, r.SampleSize,
                byRun.Where(c => c.Run == r.Id).Sum(c => c.Reviewed), byRun.Where(c => c.Run == r.Id).Sum(c => c.Waiting), r.Message, r.CreatedAt,
                [.. plans[r.Id].Annotators.Select(a => new AnnotatorPlanRow(names[a.Annotator], a.Population, a.SampleSize, a.Reason))]))],
            [.. byAnnotator.Select(a => Rate(a.Key.ToString("N"), names[a.Key], a.Errors, a.Reviewed, confidence)).OrderBy(r => r.Name, StringComparer.CurrentCulture)],
            [.. byLabel.Select(l => Rate(l.Key?.ToString("N") ?? "none", LabelName(labelNames, l.Key), l.Errors, l.Reviewed, confidence))
                .OrderByDescending(r => r.Interval.Estimate).ThenBy(r => r.Name, StringComparer.CurrentCulture)],
            totalReviewed == 0 ? [] : await ErrorTypesAsync(db, projectId, totalReviewed, confidence, ct),
            Trend(runs, byRun, names, confidence),
            [.. gaps.GroupBy(g => g.LabelKey).Select(g => new GuidelineGapGroup(LabelName(labelNames, g.Key), [.. g.Select(x => new GuidelineGapNote(x.TaskId, x.Note))]))
                .OrderByDescending(g => g.Notes.Count).ThenBy(g => g.Label, StringComparer.CurrentCulture)]);
    }

    /// <summary>
    /// Each annotator's error rate in their latest audited run, with its Wilson half-width: the history that sizes their next
    /// sample (<see cref="AuditPlanner.Plan"/>). Runs in which none of their items was reviewed yet do not count.
    /// </summary>
    public static async Task<Dictionary<Guid, AnnotatorHistory>> HistoryAsync(PortalDbContext db, Guid projectId, double confidence, CancellationToken ct)
    {
        var rows = await (from s in db.AuditSamples
                          where s.ProjectId == projectId && s.Outcome != AuditOutcome.Waiting
                          join r in db.AuditRuns on s.AuditRunId equals r.Id
                          group s by new { s.AnnotatorId, s.AuditRunId, r.WindowEnd, r.CreatedAt } into g
                          select new { g.Key.AnnotatorId, g.Key.WindowEnd, g.Key.CreatedAt, Reviewed = g.Count(), Errors = g.Count(s => s.Outcome == AuditOutcome.HasErrors) })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.AnnotatorId).ToDictionary(g => g.Key, g =>
        {
            var last = g.OrderByDescending(r => r.WindowEnd).ThenByDescending(r => r.CreatedAt).First();
            var interval = Proportions.Wilson(last.Errors, last.Reviewed, confidence);
            return new AnnotatorHistory(interval.Estimate, interval.HalfWidth);
        });
    }

    public static string ErrorTypeName(AuditErrorType type) => type switch
    {
        AuditErrorType.WrongLabel => "Wrong label",
        AuditErrorType.Boundary => "Boundary",
        AuditErrorType.MissedSpan => "Missed span",
        AuditErrorType.SpuriousSpan => "Spurious span",
        AuditErrorType.GuidelineGap => "Guideline gap",
        _ => type.ToString(),
    };

    private sealed record RunCounts(Guid Run, Guid Annotator, int Reviewed, int Errors, int Waiting);

    private static ErrorRateRow Rate(string key, string name, int errors, int reviewed, double confidence) =>
        new(key, name, Proportions.Wilson(errors, reviewed, confidence));

    private static string SizingText(AuditSizing sizing, int percent, double margin, double confidence, int minimum) =>
        AuditRunService.AuditsOff(sizing, percent) ? "Audits are off: the sample is a plain percentage of 0 %."
        : sizing == AuditSizing.Percent ? $"{percent} % of each annotator's work per label and source, at least {minimum} items each."
        : string.Create(CultureInfo.CurrentCulture,
            $"Enough items per annotator to know their error rate to ±{margin:P0} at {confidence:P0} confidence, at least {minimum} per label and source.");

    private static List<TrendPoint> Trend(IEnumerable<Data.Entities.AuditRun> runs, List<RunCounts> counts, Dictionary<Guid, string> names, double confidence) =>
        [.. runs.OrderBy(r => r.WindowEnd).ThenBy(r => r.CreatedAt)
            .SelectMany(r => counts.Where(c => c.Run == r.Id && c.Reviewed > 0).OrderBy(c => names[c.Annotator], StringComparer.CurrentCulture)
                .Select(c => new TrendPoint(RunKeys.Describe(r.RunKey, r.Trigger, r.WindowEnd), names[c.Annotator], Proportions.Wilson(c.Errors, c.Reviewed, confidence))))];

    private static async Task<List<ErrorTypeRow>> ErrorTypesAsync(PortalDbContext db, Guid projectId, int reviewed, double confidence, CancellationToken ct)
    {
        var rows = await db.AuditSampleErrors.Where(e => e.ProjectId == projectId).GroupBy(e => e.ErrorType)
            .Select(g => new { g.Key, Errors = g.Count(), Items = g.Select(e => e.AuditSampleId).Distinct().Count() }).ToListAsync(ct);
        return [.. rows.OrderByDescending(r => r.Errors).ThenBy(r => r.Key)
            .Select(r => new ErrorTypeRow(r.Key, ErrorTypeName(r.Key), r.Errors, Proportions.Wilson(Math.Min(r.Items, reviewed), reviewed, confidence)))];
    }

    private sealed record GapRow(Guid? LabelKey, long TaskId, string? Note);

    private static Task<List<GapRow>> GuidelineGapsAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        (from e in db.AuditSampleErrors
         where e.ProjectId == projectId && e.ErrorType == AuditErrorType.GuidelineGap
         join s in db.AuditSamples on e.AuditSampleId equals s.Id
         orderby e.Id descending
         select new GapRow(e.LabelKey, s.TaskId, e.Note)).Take(GapNotesShown).ToListAsync(ct);

    private static async Task<Dictionary<Guid, string>> AnnotatorNamesAsync(PortalDbContext db, Guid projectId, bool anonymous, IEnumerable<Guid> seen, CancellationToken ct)
    {
        var ids = seen.Distinct().Order().ToList();
        if (anonymous)
        {
            // Letters by the project's whole audited crew, so "Annotator B" stays the same person whatever this page lists.
            var all = await db.AuditSamples.Where(s => s.ProjectId == projectId).Select(s => s.AnnotatorId).Distinct().ToListAsync(ct);
            var order = all.Union(ids).Order().Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            return ids.ToDictionary(id => id, id => $"Annotator {ScorecardMath.Letter(order[id])}");
        }

        var known = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return ids.ToDictionary(id => id, id => known.GetValueOrDefault(id) ?? "A removed user");
    }

    /// <summary>Label names by key, from the newest label-set version that has the key (a renamed label shows its current name).</summary>
    private static async Task<Dictionary<Guid, string>> LabelNamesAsync(PortalDbContext db, IEnumerable<Guid?> seen, CancellationToken ct)
    {
        var keys = seen.OfType<Guid>().Distinct().ToList();
        var rows = await (from l in db.Labels
                          where keys.Contains(l.Key)
                          join v in db.TaxonomyVersions on l.TaxonomyVersionId equals v.Id
                          select new { l.Key, l.Path, v.Number }).ToListAsync(ct);
        return rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Number)!.Path);
    }

    private static string LabelName(Dictionary<Guid, string> names, Guid? key) =>
        key is { } k ? names.GetValueOrDefault(k) ?? "A label no longer in the label set" : "No label (nothing marked)";
}
