using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Drift;

/// <summary>
/// What the checks share: the project's submitted work as the checks read it, names for labels and annotators (resolved
/// when a check runs; the drift page shows them as stored), and the numbers' wording in summaries.
/// </summary>
internal static class DriftNames
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>First labeling of ordinary tasks, submitted or accepted (gold work is judged by the gold check, relabel rounds by theirs).</summary>
    public static IQueryable<Annotation> SubmittedWork(PortalDbContext db, Guid projectId) =>
        db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Round == 0 && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted))
            .Where(a => !db.Tasks.Any(t => t.Id == a.TaskId && t.IsGold));

    /// <summary>Each label key's newest path (keys are stable across label-set versions; a rename keeps the key).</summary>
    public static async Task<Dictionary<Guid, string>> LabelPathsAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        (await (from l in db.Labels.AsNoTracking()
                join v in db.TaxonomyVersions on l.TaxonomyVersionId equals v.Id
                join t in db.Taxonomies on v.TaxonomyId equals t.Id
                where t.ProjectId == projectId
                select new { l.Key, l.Path, v.Number }).ToListAsync(ct))
        .GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.MaxBy(l => l.Number)!.Path);

    public static string Label(IReadOnlyDictionary<Guid, string> paths, Guid key) => paths.GetValueOrDefault(key, "(removed label)");

    /// <summary>
    /// Annotators by display name, or "Annotator A, B, …" when the project adjudicates anonymously. The letters follow
    /// the order people joined the project, so a person keeps their letter from night to night.
    /// </summary>
    public static async Task<Func<Guid, string>> AnnotatorsAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var anonymous = await db.Projects.Where(p => p.Id == projectId).Select(p => p.AnonymousAdjudication).SingleAsync(ct);
        if (!anonymous)
        {
            var names = await db.Users.AsNoTracking()
                .Where(u => db.ProjectMembers.Any(m => m.ProjectId == projectId && m.UserId == u.Id) || db.Annotations.Any(a => a.ProjectId == projectId && a.UserId == u.Id))
                .Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
            return id => names.GetValueOrDefault(id, "(removed user)");
        }

        var members = (await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId).Select(m => new { m.UserId, m.AddedAt }).ToListAsync(ct))
            .OrderBy(m => m.AddedAt).ThenBy(m => m.UserId).Select(m => m.UserId).ToList();
        // People who have left the project keep a letter too: after everyone who is still in it, by id.
        var former = (await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId).Select(a => a.UserId).Distinct().ToListAsync(ct))
            .Except(members).Order();
        var order = members.Concat(former).Select((id, i) => (id, i)).ToDictionary(m => m.id, m => m.i);
        return id => "Annotator " + ScorecardMath.Letter(order.TryGetValue(id, out var i) ? i : order.Count);
    }

    public static string Possessive(string name) => name.EndsWith('s') ? name + "'" : name + "'s";

    public static string P(double p) => p < 0.001 ? "p < 0.001" : "p = " + p.ToString("0.000", Invariant);

    public static string N(double value, string format = "0.00") => value.ToString(format, Invariant);

    public static string Share(double share) => (share * 100).ToString("0", Invariant) + "%";

    public static string Count(int count, string one, string many) => count.ToString("N0", Invariant) + " " + (count == 1 ? one : many);
}
