using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Taxonomy;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.Taxonomy;

/// <summary>Label definition versions on a real SQLite database: written on publish, derived for old projects, read with a diff.</summary>
public class LabelDefinitionServiceTests
{
    internal static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    internal static async Task<(Guid ProjectId, List<PortalPrincipal> People)> ProjectWithManagerAsync(TestDatabase database, int tasks = 3, int annotators = 3)
    {
        var (projectId, people) = await ProjectAsync(database, tasks, overlap: 1, annotators);
        await using var db = await database.ContextAsync();
        if (!await db.Users.AnyAsync(u => u.Id == Manager.UserId))
        {
            db.Users.Add(new User { Id = Manager.UserId, ExternalId = $"mgr-{Guid.NewGuid():N}", Email = "mia@x", DisplayName = Manager.DisplayName, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        return (projectId, people);
    }

    /// <summary>Publishes the current label set with one label's definition replaced (nothing else changes); returns the new version number.</summary>
    internal static async Task<int> EditDefinitionAsync(TestDatabase database, Guid projectId, string path, string description, string? examples = null)
    {
        var taxonomy = database.Get<TaxonomyService>();
        var state = await taxonomy.LoadAsync(Manager, projectId, default);
        var label = state.Draft.Model.AllLabels.Single(l => state.Draft.Model.PathOf(l.Label.Key) == path).Label;
        var draft = state.Draft.Describe(label.Key, label.Color, label.Hotkey, description, examples ?? label.Examples, label.CounterExamples);
        var version = await taxonomy.SaveDraftAsync(Manager, projectId, draft, state.ConcurrencyVersion, default);
        return await taxonomy.PublishAsync(Manager, projectId, version, null, default);
    }

    internal static async Task<Guid> KeyAsync(TestDatabase database, Guid projectId, string path)
    {
        var state = await database.Get<TaxonomyService>().LoadAsync(Manager, projectId, default);
        return state.Draft.Model.AllLabels.Single(l => state.Draft.Model.PathOf(l.Label.Key) == path).Label.Key;
    }

    [Fact]
    public async Task Publish_WritesADefinitionVersion_OnlyForLabelsWhoseTextsChanged()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await ProjectWithManagerAsync(database);
        var person = await KeyAsync(database, projectId, "Person");
        var city = await KeyAsync(database, projectId, "Location / City");

        // A definition-only draft records no structural change, yet its impact lists the edit and it publishes.
        var taxonomy = database.Get<TaxonomyService>();
        var state = await taxonomy.LoadAsync(Manager, projectId, default);
        var label = state.Draft.Model.Find(person)!.Value.Label;
        await taxonomy.SaveDraftAsync(Manager, projectId, state.Draft.Describe(person, label.Color, label.Hotkey, "A named human being.", null, null), state.ConcurrencyVersion, default);
        var impact = Assert.Single(await taxonomy.ImpactAsync(Manager, projectId, default));
        Assert.Null(impact.Kind);
        Assert.Equal("Edit the definition of \"Person\"", impact.Description);
        var loaded = await taxonomy.LoadAsync(Manager, projectId, default);
        Assert.Equal(2, await taxonomy.PublishAsync(Manager, projectId, loaded.ConcurrencyVersion, null, default));
        Assert.Equal(3, await EditDefinitionAsync(database, projectId, "Location / City", "A city, a town or a village."));

        await using var db = await database.ContextAsync();
        var versions = await db.TaxonomyVersions.Where(v => db.Taxonomies.Any(t => t.Id == v.TaxonomyId && t.ProjectId == projectId)).ToDictionaryAsync(v => v.Number, v => v.Id);
        var labels = await db.Labels.CountAsync(l => l.TaxonomyVersionId == versions[1]);
        var rows = await db.LabelDefinitionVersions.Where(d => d.ProjectId == projectId).ToListAsync();
        Assert.Equal(labels + 2, rows.Count);
        Assert.All(rows.Where(r => r.Number == 1), r => Assert.Equal(versions[1], r.TaxonomyVersionId));
        Assert.Equal([(person, versions[2]), (city, versions[3])], rows.Where(r => r.Number == 2).OrderBy(r => r.Id).Select(r => (r.LabelKey, r.TaxonomyVersionId)));
        var edit = rows.Single(r => r.LabelKey == person && r.Number == 2);
        Assert.Equal(("A named human being.", Manager.UserId), (edit.Description, edit.ChangedById));
    }

    [Fact]
    public async Task Backfill_OfAProjectWithoutDefinitionVersions_DerivesTheSameHistoryFromItsLabelSets()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await ProjectWithManagerAsync(database);
        await EditDefinitionAsync(database, projectId, "Person", "A named human being.");
        await EditDefinitionAsync(database, projectId, "Person", "A named human being.", "Maria Schneider");
        await using var db = await database.ContextAsync();
        var written = await Snapshot(db, projectId);
        await db.LabelDefinitionVersions.Where(d => d.ProjectId == projectId).ExecuteDeleteAsync();

        var history = await database.Get<LabelDefinitionService>().HistoryAsync(Manager, projectId, await KeyAsync(database, projectId, "Person"), default);

        Assert.Equal(written, await Snapshot(db, projectId));
        Assert.Equal([3, 2, 1], history.Select(h => h.Number));
        Assert.Equal([3, 2, 1], history.Select(h => h.LabelSetNumber));
    }

    private static Task<List<string>> Snapshot(Portal.Data.PortalDbContext db, Guid projectId) => db.LabelDefinitionVersions.AsNoTracking()
        .Where(d => d.ProjectId == projectId).OrderBy(d => d.LabelKey).ThenBy(d => d.Number)
        .Select(d => $"{d.LabelKey} {d.Number} {d.TaxonomyVersionId} {d.ChangedById} {d.ChangedAt:O} {d.Description}|{d.Examples}|{d.CounterExamples}").ToListAsync();

    [Fact]
    public async Task History_SaysWhoWhenWithWhichLabelSet_AndDiffsLines_ForReviewersOnly()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectWithManagerAsync(database);
        await EditDefinitionAsync(database, projectId, "Person", "A named individual.\nNot a company.");
        var person = await KeyAsync(database, projectId, "Person");
        var service = database.Get<LabelDefinitionService>();

        var history = await service.HistoryAsync(Manager, projectId, person, default);

        Assert.Equal((2, "Mia Manager", 2), (history[0].Number, history[0].ChangedBy, history[0].LabelSetNumber));
        Assert.Equal(
        [
            new DefinitionDiffLine("Definition", DiffLineKind.Removed, "A named individual: customer, employee, courier."),
            new DefinitionDiffLine("Definition", DiffLineKind.Added, "A named individual."),
            new DefinitionDiffLine("Definition", DiffLineKind.Added, "Not a company."),
        ], history[0].Lines);
        Assert.Equal([new DefinitionDiffLine("Definition", DiffLineKind.Same, "A named individual: customer, employee, courier.")], history[1].Lines);
        await Assert.ThrowsAsync<ForbiddenException>(() => service.HistoryAsync(people[0], projectId, person, default));
        var current = await service.CurrentAsync(people[0], projectId, default);
        Assert.Equal(2, current.LabelSetNumber);
        Assert.Equal(2, current.Labels[person].Number);
        Assert.Equal(1, current.Labels[await KeyAsync(database, projectId, "Location / City")].Number);
    }
}
