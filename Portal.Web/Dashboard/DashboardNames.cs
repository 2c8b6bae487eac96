using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Dashboard;

/// <summary>
/// The dashboard's names for annotators. Letters follow the order scorecards give them (members as they joined, then
/// anyone else the figures name), so "Annotator B" is the same person on the heat map, in the lists and in the table.
/// </summary>
internal static class DashboardNames
{
    /// <summary>QA leads who are not managers see letters when the project anonymizes; managers and admins see names.</summary>
    public static bool Anonymize(bool projectAnonymizes, ProjectRole role) => Anonymity.HidesNames(projectAnonymizes, role);

    public static async Task<List<DashboardPerson>> AnnotatorsAsync(PortalDbContext db, Guid projectId, bool anonymize, IEnumerable<Guid> alsoNamed, CancellationToken ct)
    {
        var people = (await db.Annotators(projectId).AsNoTracking()
            .OrderBy(m => m.AddedAt).ThenBy(m => m.UserId)
            .Select(m => new { m.UserId, m.User!.DisplayName }).ToListAsync(ct)).Select(m => (UserId: m.UserId, Name: m.DisplayName)).ToList();
        var missing = alsoNamed.Distinct().Where(id => people.All(p => p.UserId != id)).Order().ToList();
        if (missing.Count > 0)
        {
            // People who left the project keep their place in the figures.
            var former = await db.Users.AsNoTracking().Where(u => missing.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
            people.AddRange(missing.Select(id => (id, former.GetValueOrDefault(id, "A former member"))));
        }

        return [.. people.Select((p, i) => new DashboardPerson(p.UserId, anonymize ? $"Annotator {ScorecardMath.Letter(i)}" : p.Name))];
    }
}
