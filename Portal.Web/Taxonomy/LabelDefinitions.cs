using Microsoft.EntityFrameworkCore;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Taxonomy;

/// <summary>
/// Writes each label's definition versions: one row per published edit of its definition, examples or counter-examples.
/// Projects from before definition versions existed get theirs derived from their published label sets the first time
/// anyone asks (the publish path, the drift check, the history, the guidelines drawer), so every project has a history.
/// </summary>
public static class LabelDefinitions
{
    /// <summary>The published texts of one label in one label-set version, in version order (the input of <see cref="Derive"/>).</summary>
    public sealed record PublishedLabel(Guid TaxonomyVersionId, int VersionNumber, Guid PublishedById, DateTime PublishedAt, Guid LabelKey, DefinitionText Text);

    /// <summary>
    /// Backfills a project that has labels but no definition versions, from its published label sets in order: a label's
    /// first appearance is version 1, and each later label set whose texts differ from the label's previous ones is the
    /// next (its publisher and publish time as who and when). Deterministic; a project that has versions is left alone.
    /// </summary>
    public static async Task EnsureAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        if (await db.LabelDefinitionVersions.AnyAsync(d => d.ProjectId == projectId, ct))
        {
            return;
        }

        var published = await (
            from t in db.Taxonomies
            where t.ProjectId == projectId
            join v in db.TaxonomyVersions on t.Id equals v.TaxonomyId
            join l in db.Labels on v.Id equals l.TaxonomyVersionId
            orderby v.Number, l.SortOrder
            select new { v.Id, v.Number, v.PublishedById, v.PublishedAt, l.Key, l.Description, l.Examples, l.CounterExamples })
            .AsNoTracking().ToListAsync(ct);
        var rows = Derive(projectId, [], published.Select(p => new PublishedLabel(p.Id, p.Number, p.PublishedById, p.PublishedAt, p.Key,
            new DefinitionText(p.Description, p.Examples, p.CounterExamples))));
        if (rows.Count == 0)
        {
            return;
        }

        db.LabelDefinitionVersions.AddRange(rows);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Someone else backfilled the same project at the same moment: the same rows, so theirs stand.
            foreach (var row in rows)
            {
                db.Entry(row).State = EntityState.Detached;
            }

            if (!await db.LabelDefinitionVersions.AnyAsync(d => d.ProjectId == projectId, ct))
            {
                throw;
            }
        }
    }

    /// <summary>
    /// Adds (unsaved) a definition version for every label of the label set being published whose texts differ from its
    /// latest definition version, or that has none yet. Call after <see cref="EnsureAsync"/>, in the publish's transaction.
    /// </summary>
    public static async Task<int> RecordAsync(PortalDbContext db, Guid projectId, TaxonomyVersion version, CancellationToken ct)
    {
        var existing = await db.LabelDefinitionVersions.AsNoTracking().Where(d => d.ProjectId == projectId).ToListAsync(ct);
        var rows = Derive(projectId, existing, version.Labels.OrderBy(l => l.SortOrder).Select(l => new PublishedLabel(
            version.Id, version.Number, version.PublishedById, version.PublishedAt, l.Key, new DefinitionText(l.Description, l.Examples, l.CounterExamples))));
        db.LabelDefinitionVersions.AddRange(rows);
        return rows.Count;
    }

    /// <summary>The new definition versions that <paramref name="published"/> (in version order) makes on top of <paramref name="existing"/>.</summary>
    public static IReadOnlyList<LabelDefinitionVersion> Derive(Guid projectId, IEnumerable<LabelDefinitionVersion> existing, IEnumerable<PublishedLabel> published)
    {
        var latest = existing.GroupBy(d => d.LabelKey).ToDictionary(g => g.Key, g => g.MaxBy(d => d.Number)!);
        var rows = new List<LabelDefinitionVersion>();
        foreach (var label in published)
        {
            var previous = latest.GetValueOrDefault(label.LabelKey);
            if (previous is not null && label.Text.SameAs(TextOf(previous)))
            {
                continue;
            }

            var row = new LabelDefinitionVersion
            {
                ProjectId = projectId, LabelKey = label.LabelKey, Number = (previous?.Number ?? 0) + 1, TaxonomyVersionId = label.TaxonomyVersionId,
                Description = label.Text.Description, Examples = label.Text.Examples, CounterExamples = label.Text.CounterExamples,
                ChangedById = label.PublishedById, ChangedAt = label.PublishedAt,
            };
            rows.Add(row);
            latest[label.LabelKey] = row;
        }

        return rows;
    }

    public static DefinitionText TextOf(LabelDefinitionVersion version) => new(version.Description, version.Examples, version.CounterExamples);
}
