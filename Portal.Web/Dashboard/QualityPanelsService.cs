using Portal.Core.Audits;
using Portal.Core.Security;
using Portal.Web.Audits;
using Portal.Web.Drift;

namespace Portal.Web.Dashboard;

/// <summary>
/// The dashboard's audit and drift panels, read through the audit and drift features' own services (which check the
/// Reviewer role themselves) and cut down to what a panel shows.
/// </summary>
public sealed class QualityPanelsService(AuditResultsService audits, DriftFindingsService drift)
{
    /// <summary>How many open findings the panel names.</summary>
    public const int TopFindings = 3;

    public async Task<QualityPanels> LoadAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        var results = await audits.GetAsync(user, projectId, ct);
        var overview = await drift.OverviewAsync(user, projectId, includeClosed: false, ct);

        // The trend lists each run's annotators in run order, oldest first; a run's rate is over all of them.
        var runs = results.Trend.GroupBy(p => p.Run)
            .Select(g => new AuditRunRate(g.Key, Proportions.Wilson(g.Sum(p => p.Interval.Successes), g.Sum(p => p.Interval.Trials), results.Confidence)))
            .ToList();
        var audit = new AuditPanel(results.AuditsOn, results.Annotators.Sum(a => a.Reviewed), runs.LastOrDefault()?.Rate, runs.LastOrDefault()?.Run, runs);

        var open = overview.Findings.Where(f => f.IsOpen).ToList();
        var panel = new DriftPanel(open.Count,
            [.. open.GroupBy(f => f.Kind).Select(g => new DriftKindCount(g.Key, g.First().Check, g.Count())).OrderByDescending(k => k.Count).ThenBy(k => k.Kind)],
            [.. open.OrderByDescending(f => f.Severity).ThenByDescending(f => f.LastSeenAt).Take(TopFindings)
                .Select(f => new DriftTopFinding(f.Id, f.Check, f.Subject, f.Summary, f.Severity))]);
        return new QualityPanels(audit, panel);
    }
}
