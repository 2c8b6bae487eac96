using Microsoft.EntityFrameworkCore;
using Portal.Core.Taxonomy;
using Portal.Data;

namespace Portal.Web.Taxonomy;

/// <summary>Migration maps from each of a project's taxonomy versions to its current one, for the agreement engine.</summary>
public static class TaxonomyMaps
{
    public static async Task<Func<Guid, LabelMigrationMap>> ToCurrentAsync(PortalDbContext db, Guid projectId, IEnumerable<Guid> versionIds, CancellationToken ct)
    {
        var taxonomy = await db.Taxonomies.AsNoTracking().Where(t => t.ProjectId == projectId).Select(t => new { t.Id, t.CurrentVersionId }).SingleOrDefaultAsync(ct);
        if (taxonomy is null)
        {
            return _ => LabelMigrationMap.Identity;
        }

        var versions = await db.TaxonomyVersions.AsNoTracking().Where(v => v.TaxonomyId == taxonomy.Id)
            .Select(v => new VersionInfo(v.Id, v.Number, v.PublishedAt, "", null)).ToListAsync(ct);
        var current = versions.Single(v => v.Id == taxonomy.CurrentVersionId).Number;
        var maps = new Dictionary<Guid, LabelMigrationMap>();
        foreach (var id in versionIds.Distinct())
        {
            maps[id] = versions.FirstOrDefault(v => v.Id == id) is { } version && version.Number < current
                ? await TaxonomyService.MapAsync(db, versions, version.Number, current, ct)
                : LabelMigrationMap.Identity;
        }

        return id => maps.GetValueOrDefault(id, LabelMigrationMap.Identity);
    }
}
