using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Agreement;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Agreement;

public class AgreementSnapshotJobTests
{
    [Fact]
    public async Task DemoProject_SnapshotsEveryControl_AndARerunReplacesTheDay()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
        var job = new AgreementSnapshotJob(database.Factory, database.Get<LabelSetCache>(), clock, NullLogger<AgreementSnapshotJob>.Instance);
        // The demo also has weeks of earlier nights; this test reads the night the job computes.
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

        await job.RunAsync(CancellationToken.None);
        List<(string Measure, string Key, double? Value, double? Low, double? High)> first;
        await using (var db = await database.ContextAsync())
        {
            first = await db.AgreementSnapshots.Where(s => s.Day == today).OrderBy(s => s.Measure).ThenBy(s => s.Key)
                .Select(s => ValueTuple.Create(s.Measure, s.Key, s.Value, s.Low, s.High)).ToListAsync();
        }

        await job.RunAsync(CancellationToken.None);

        await using var check = await database.ContextAsync();
        var second = await check.AgreementSnapshots.Where(s => s.Day == today).OrderBy(s => s.Measure).ThenBy(s => s.Key)
            .Select(s => ValueTuple.Create(s.Measure, s.Key, s.Value, s.Low, s.High)).ToListAsync();
        Assert.Equal(first, second);

        // The careful and the hurried annotator agree a lot, but not perfectly.
        var exact = first.Single(s => s is { Measure: "spanF1Exact", Key: "control:entities" });
        Assert.InRange(exact.Value!.Value, 0.6, 0.99);
        var overlap = first.Single(s => s is { Measure: "spanF1Overlap", Key: "control:entities" });
        Assert.True(overlap.Value >= exact.Value);
        Assert.NotNull(first.Single(s => s is { Measure: "alphaUnitizing", Key: "control:entities" }).Value);
        var intent = first.Single(s => s is { Measure: "krippendorffAlpha", Key: "control:intent" });
        Assert.InRange(intent.Value!.Value, 0.3, 0.99);
        Assert.InRange(intent.Value.Value, intent.Low!.Value, intent.High!.Value);
        Assert.Contains(first, s => s.Measure == "cohenKappa" && s.Key.StartsWith("control:sentiment|pair:", StringComparison.Ordinal));
        Assert.Contains(first, s => s.Measure == "spanF1Exact" && s.Key.StartsWith("control:entities|label:", StringComparison.Ordinal));
        // Every labeled task but the gold ones (their work is scored against the expected answer instead).
        var labeled = await check.Annotations.Where(a => (a.Status == Portal.Core.Labeling.AnnotationStatus.Submitted || a.Status == Portal.Core.Labeling.AnnotationStatus.Accepted) && !check.Tasks.Any(t => t.Id == a.TaskId && t.IsGold)).Select(a => a.TaskId).Distinct().CountAsync();
        Assert.Equal(labeled, await check.AgreementSnapshots.Where(s => s.Day == today && s.Key == "control:entities" && s.Measure == "spanF1Exact").Select(s => s.Units).SingleAsync());
    }
}
