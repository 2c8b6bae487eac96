using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Security;
using Portal.Data;

namespace Portal.Web.Drift;

/// <summary>
/// The relabel tasks of one drift finding (<see cref="DriftFindingId"/>), or of one reason when they belong to no
/// finding (a taxonomy change): how many were made and done, how many changed the answer, the mean agreement of the
/// relabels with the answers before them, and the done ones, latest first (at most <see cref="RelabelReport.MaxItems"/>).
/// </summary>
public sealed record RelabelReportGroup(
    long? DriftFindingId, string Reason, int Created, int Done, int Changed, double? MeanAgreement, IReadOnlyList<RelabelDoneItem> Items);

/// <param name="Annotator">Who relabeled ("Annotator A" in a project with anonymous adjudication, for QA leads).</param>
public sealed record RelabelDoneItem(long ItemId, long TaskId, Guid? AnnotatorId, string Annotator, double? Agreement, bool Changed, DateTime DoneAt);

/// <summary>The relabel agreement report (for the drift page): QA leads (Reviewer role) and managers of the project.</summary>
public sealed class RelabelReport(IDbContextFactory<PortalDbContext> factory, ProjectAccess access)
{
    /// <summary>The done items listed per group.</summary>
    public const int MaxItems = 200;

    /// <summary>Every group of the project: findings first (newest finding first), then reasons in order.</summary>
    public Task<IReadOnlyList<RelabelReportGroup>> ForProjectAsync(PortalPrincipal user, Guid projectId, CancellationToken ct) =>
        ReportAsync(user, projectId, findingId: null, ct);

    /// <summary>The group of one finding; null when it has no relabel tasks.</summary>
    public async Task<RelabelReportGroup?> ForFindingAsync(PortalPrincipal user, Guid projectId, long findingId, CancellationToken ct) =>
        (await ReportAsync(user, projectId, findingId, ct)).SingleOrDefault();

    private async Task<IReadOnlyList<RelabelReportGroup>> ReportAsync(PortalPrincipal user, Guid projectId, long? findingId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var items = db.RelabelItems.AsNoTracking().Where(r => r.ProjectId == projectId && (findingId == null || r.DriftFindingId == findingId));
        var counts = await items.GroupBy(r => new { r.DriftFindingId, r.Reason })
            .Select(g => new
            {
                g.Key.DriftFindingId, g.Key.Reason, Created = g.Count(), Done = g.Count(r => r.ResolvedAt != null), Changed = g.Count(r => r.Changed == true),
                Scored = g.Count(r => r.Agreement != null), AgreementSum = g.Sum(r => r.Agreement ?? 0),
            })
            .ToListAsync(ct);
        var done = await items.Where(r => r.ResolvedAt != null)
            .OrderByDescending(r => r.ResolvedAt).ThenByDescending(r => r.Id)
            .Select(r => new { r.Id, r.DriftFindingId, r.Reason, r.TaskId, r.AssignedToUserId, r.Agreement, r.Changed, ResolvedAt = r.ResolvedAt!.Value })
            .ToListAsync(ct);

        var anonymous = role < ProjectRole.Manager && await db.Projects.Where(p => p.Id == projectId).Select(p => p.AnonymousAdjudication).SingleAsync(ct);
        var people = done.Where(d => d.AssignedToUserId is not null).Select(d => d.AssignedToUserId!.Value).Distinct().Order().ToList();
        var names = anonymous
            ? people.Select((id, i) => (id, Name: $"Annotator {ScorecardMath.Letter(i)}")).ToDictionary(p => p.id, p => p.Name)
            : await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);

        // A finding's tasks are one group whatever their reasons say; tasks of no finding group by their reason.
        return [.. counts.GroupBy(c => (c.DriftFindingId, Reason: c.DriftFindingId is null ? c.Reason : null))
            .OrderBy(g => g.Key.DriftFindingId is null).ThenByDescending(g => g.Key.DriftFindingId).ThenBy(g => g.Key.Reason, StringComparer.Ordinal)
            .Select(g =>
            {
                var scored = g.Sum(c => c.Scored);
                var listed = done.Where(d => d.DriftFindingId == g.Key.DriftFindingId && (g.Key.DriftFindingId is not null || d.Reason == g.Key.Reason)).Take(MaxItems)
                    .Select(d => new RelabelDoneItem(d.Id, d.TaskId, d.AssignedToUserId,
                        d.AssignedToUserId is { } id ? names.GetValueOrDefault(id, "someone") : "someone", d.Agreement, d.Changed == true, d.ResolvedAt))
                    .ToList();
                return new RelabelReportGroup(g.Key.DriftFindingId, g.Key.Reason ?? g.First().Reason, g.Sum(c => c.Created), g.Sum(c => c.Done), g.Sum(c => c.Changed),
                    scored == 0 ? null : g.Sum(c => c.AgreementSum) / scored, listed);
            })];
    }
}
