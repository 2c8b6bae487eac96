using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Labeling;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Demo;

public class DemoSeederTests
{
    [Fact]
    public async Task SeedAsync_Twice_SeedsOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seeder = new DemoSeeder(database.Factory, TimeProvider.System, NullLogger<DemoSeeder>.Instance);

        await seeder.SeedAsync();
        await seeder.SeedAsync();

        await using var db = await database.ContextAsync();
        Assert.Equal(DemoSeeder.Users.Count, await db.Users.CountAsync());
        Assert.Equal(DemoSeeder.TaskCount, await db.Tasks.CountAsync());
        Assert.Equal(DemoSeeder.LabeledTaskCount * 2, await db.Annotations.CountAsync(a => a.Status == AnnotationStatus.Submitted));
        Assert.Equal(DemoSeeder.LabeledTaskCount * 2, await db.AnnotationRevisions.CountAsync());
        Assert.True(await db.Labels.AnyAsync(l => l.ParentKey != null), "The demo taxonomy is nested.");
    }

    [Fact]
    public async Task SeedAsync_EverySpanCoversItsEntityText_AndAnnotatorsSometimesDisagree()
    {
        await using var database = await TestDatabase.CreateAsync();
        await new DemoSeeder(database.Factory, TimeProvider.System, NullLogger<DemoSeeder>.Instance).SeedAsync();
        await using var db = await database.ContextAsync();

        var spans = await db.AnnotationSpans
            .Join(db.Annotations, s => s.AnnotationId, a => a.Id, (s, a) => new { s.Start, s.End, a.TaskId, a.UserId })
            .Join(db.Tasks, x => x.TaskId, t => t.Id, (x, t) => new { x.Start, x.End, x.UserId, x.TaskId, t.Text })
            .ToListAsync();

        Assert.NotEmpty(spans);
        Assert.All(spans, s =>
        {
            Assert.InRange(s.Start, 0, s.End - 1);
            Assert.InRange(s.End, s.Start + 1, s.Text.Length);
            Assert.Equal(s.Text[s.Start..s.End].Trim(), s.Text[s.Start..s.End]);
        });
        var perTask = spans.GroupBy(s => s.TaskId).Select(g => g.GroupBy(s => s.UserId).Select(u => u.Count()).Distinct().Count());
        Assert.Contains(perTask, distinctCounts => distinctCounts > 1);
    }

    [Fact]
    public void Generate_IsDeterministic_AndTextsAreDistinct()
    {
        var a = DemoTexts.Generate(300);
        var b = DemoTexts.Generate(300);
        Assert.Equal(a.Select(t => t.Text), b.Select(t => t.Text));
        Assert.Equal(300, a.Select(t => t.Text).Distinct().Count());
    }
}
