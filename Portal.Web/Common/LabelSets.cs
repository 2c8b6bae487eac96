using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Taxonomy;
using Portal.Data;

namespace Portal.Web.Common;

/// <param name="IsDeprecated">No longer offered (split or deprecated in a later taxonomy version); kept so older work still shows its name.</param>
public sealed record LabelOption(
    Guid Key, string Name, string Path, string Color, string? Hotkey, string? Description, int Depth, string? Examples = null, string? CounterExamples = null,
    bool IsDeprecated = false);

public sealed record ControlView(string Name, ControlKind Kind, string Prompt, bool Required, IReadOnlyList<LabelOption> Labels);

/// <summary>
/// The questions and labels of a taxonomy version, read once per process. A published version never changes (a publish
/// makes a new version with a new id), so an entry never goes stale and needs no invalidation; the cache only bounds
/// its size. One instance per app, shared by every circuit, job and request.
/// </summary>
public sealed class LabelSetCache
{
    /// <summary>Far more versions than the projects of one portal use at once; past it the cache starts over.</summary>
    public const int Capacity = 512;

    private readonly ConcurrentDictionary<Guid, IReadOnlyList<ControlView>> versions = new();

    public int Count => versions.Count;

    public async Task<IReadOnlyList<ControlView>> GetAsync(PortalDbContext db, Guid versionId, CancellationToken ct)
    {
        if (versions.TryGetValue(versionId, out var cached))
        {
            return cached;
        }

        var controls = await db.TaxonomyControls.AsNoTracking().Where(c => c.TaxonomyVersionId == versionId).OrderBy(c => c.SortOrder).ToListAsync(ct);
        var labels = await db.Labels.AsNoTracking().Where(l => l.TaxonomyVersionId == versionId).OrderBy(l => l.SortOrder).ToListAsync(ct);
        IReadOnlyList<ControlView> views = [.. controls.Select(c => new ControlView(c.Name, c.Kind, c.Prompt, c.Required,
            [.. labels.Where(l => l.ControlId == c.Id).Select(l => new LabelOption(l.Key, l.Name, l.Path, l.Color, l.Hotkey, l.Description,
                l.Path.Split(" / ").Length - 1, l.Examples, l.CounterExamples, l.IsDeprecated))]))];
        if (versions.Count >= Capacity)
        {
            versions.Clear();
        }

        return versions.GetOrAdd(versionId, views);
    }
}
