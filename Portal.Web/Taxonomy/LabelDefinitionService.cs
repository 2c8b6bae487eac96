using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;

namespace Portal.Web.Taxonomy;

/// <summary>One version of a label's definition as a manager reads it: who, when, with which label set, and what changed.</summary>
public sealed record DefinitionVersionView(
    int Number, string ChangedBy, DateTime ChangedAt, int LabelSetNumber, IReadOnlyList<DefinitionDiffLine> Lines);

/// <summary>A label's current definition version and when it took effect.</summary>
public sealed record DefinitionStamp(int Number, DateTime ChangedAt);

/// <summary>The current label-set number and each label's current definition version (for the guidelines drawer).</summary>
public sealed record CurrentDefinitions(int LabelSetNumber, IReadOnlyDictionary<Guid, DefinitionStamp> Labels);

/// <summary>
/// Reads the label definition versions. The history (every version with its diff) is for the project's reviewers and
/// managers; annotators get only the current version numbers, beside the current texts they already see.
/// </summary>
public sealed class LabelDefinitionService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access)
{
    /// <summary>A label's definition versions, newest first, each with its line diff against the one before.</summary>
    public async Task<IReadOnlyList<DefinitionVersionView>> HistoryAsync(PortalPrincipal user, Guid projectId, Guid labelKey, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        await LabelDefinitions.EnsureAsync(db, projectId, ct);
        var versions = await (
            from d in db.LabelDefinitionVersions
            where d.ProjectId == projectId && d.LabelKey == labelKey
            join v in db.TaxonomyVersions on d.TaxonomyVersionId equals v.Id
            orderby d.Number
            select new
            {
                Row = d, LabelSet = v.Number,
                By = db.Users.Where(u => u.Id == d.ChangedById).Select(u => u.DisplayName).FirstOrDefault(),
            }).AsNoTracking().ToListAsync(ct);
        var views = new List<DefinitionVersionView>(versions.Count);
        // The first version is shown as it reads (no diff); each later one against the one before.
        DefinitionText? before = null;
        foreach (var version in versions)
        {
            var text = LabelDefinitions.TextOf(version.Row);
            views.Add(new DefinitionVersionView(version.Row.Number, version.By ?? "someone", version.Row.ChangedAt, version.LabelSet, DefinitionDiff.Between(before ?? text, text)));
            before = text;
        }

        views.Reverse();
        return views;
    }

    /// <summary>The project's current label-set number and each label's current definition version (any member may read).</summary>
    public async Task<CurrentDefinitions> CurrentAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        await LabelDefinitions.EnsureAsync(db, projectId, ct);
        var number = await db.Taxonomies.Where(t => t.ProjectId == projectId)
            .Select(t => db.TaxonomyVersions.Where(v => v.Id == t.CurrentVersionId).Select(v => v.Number).FirstOrDefault()).FirstOrDefaultAsync(ct);
        var versions = await db.LabelDefinitionVersions.AsNoTracking().Where(d => d.ProjectId == projectId)
            .Select(d => new { d.LabelKey, d.Number, d.ChangedAt }).ToListAsync(ct);
        return new CurrentDefinitions(number, versions.GroupBy(v => v.LabelKey)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(v => v.Number).Select(v => new DefinitionStamp(v.Number, v.ChangedAt)).First()));
    }
}
