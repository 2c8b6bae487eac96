using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Common;

public class LabelSetCacheTests
{
    [Fact]
    public async Task GetAsync_ReadsAVersionOnce_AndSharesItAcrossCallers()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        var cache = database.Get<LabelSetCache>();
        await using var db = await database.ContextAsync();
        var versionId = await db.Taxonomies.Select(t => t.CurrentVersionId!.Value).FirstAsync();

        var first = await cache.GetAsync(db, versionId, default);
        // A published version never changes; were the rows touched anyway, the cache would not read them again.
        await db.Labels.Where(l => l.TaxonomyVersionId == versionId).ExecuteUpdateAsync(s => s.SetProperty(l => l.Name, "changed"));
        var second = await cache.GetAsync(db, versionId, default);

        Assert.Same(first, second);
        Assert.Contains(first, c => c.Name == "entities" && c.Labels.Count > 0);
        Assert.DoesNotContain(first.SelectMany(c => c.Labels), l => l.Name == "changed");
        Assert.Same(cache, database.Get<LabelSetCache>());
    }

    [Fact]
    public async Task GetAsync_AnUnknownVersion_IsAnEmptyLabelSet_AndTheCacheStaysBounded()
    {
        await using var database = await TestDatabase.CreateAsync();
        var cache = database.Get<LabelSetCache>();
        await using var db = await database.ContextAsync();

        for (var i = 0; i <= LabelSetCache.Capacity; i++)
        {
            Assert.Empty(await cache.GetAsync(db, Guid.NewGuid(), default));
        }

        Assert.InRange(cache.Count, 1, LabelSetCache.Capacity);
    }
}
