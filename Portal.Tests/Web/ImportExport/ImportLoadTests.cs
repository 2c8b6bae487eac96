using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using Portal.Core.ImportExport;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.ImportExport;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// An import from a slow source while ten annotators label the same SQLite file: nobody waits more than a moment,
/// nothing is lost, the import is exact. The full size (100k rows over 30 s) is the "import-load" benchmark; the suite runs 20k over 10 s.
/// </summary>
[Collection(LoadTimingCollection.Name)]
public class ImportLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SlowImport_TenAnnotatorsLabeling_NoCallOverOneSecond_NothingLost_ImportExact()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 0, overlap: 1, annotators: 10);
        Guid managerId;
        await using (var db = await database.ContextAsync())
        {
            managerId = await db.Projects.Where(p => p.Id == projectId).Select(p => p.CreatedById).SingleAsync();
            for (var t = 0; t < 4000; t++)
            {
                var text = $"Order {t} for Maria Schneider in Hamburg.";
                db.Tasks.Add(new LabelingTask { ProjectId = projectId, Text = text, ContentHash = ContentHash.Of(text), TargetAnnotations = 1, CreatedAt = DateTime.UtcNow });
            }

            await db.SaveChangesAsync();
        }

        var imports = database.Get<ImportService>();
        // A second of warm-up (JIT, page cache) first, so the measurement without an import is of labeling, not of starting.
        var warm = await ImportLoad.RunAsync(imports, Service(database), projectId, managerId, people, rows: 0, TimeSpan.FromSeconds(1));
        var alone = await ImportLoad.RunAsync(imports, Service(database), projectId, managerId, people, rows: 0, TimeSpan.FromSeconds(4));
        var load = await ImportLoad.RunAsync(imports, Service(database), projectId, managerId, people, rows: 20_000, TimeSpan.FromSeconds(10));

        output.WriteLine($"without an import: p50 {alone.Percentile(50):F0} ms, p95 {alone.Percentile(95):F0} ms, max {alone.Max:F0} ms ({alone.CallMs.Count} calls)");
        output.WriteLine($"during the import: p50 {load.Percentile(50):F0} ms, p95 {load.Percentile(95):F0} ms, max {load.Max:F0} ms ({load.CallMs.Count} calls)");
        Assert.Empty(alone.Failures.Select(f => f.Message).Concat(load.Failures.Select(f => f.Message)));
        // One second, unless the machine is so busy that labeling alone is that slow (a shared CI host): then three times
        // its slowest call. Before staged batches a call waited for the whole import (measured: 9.7 s of the 10 s).
        var bound = Math.Max(1000, 3 * alone.Max);
        Assert.True(load.Max < bound, $"The slowest annotator call during the import took {load.Max:F0} ms (p50 {load.Percentile(50):F0} ms, " +
            $"p95 {load.Percentile(95):F0} ms, {load.CallMs.Count} calls); without an import {alone.Max:F0} ms (p50 {alone.Percentile(50):F0} ms).");
        Assert.Equal((20_000L, 20_000L, 0L, true), (load.Import!.Read, load.Import.Imported, load.Import.Duplicates, load.Import.Committed));
        await using var check = await database.ContextAsync();
        // Published: each task is available, or an annotator took it already (they keep labeling while the import commits).
        Assert.Equal(20_000, await check.Tasks.CountAsync(t => t.ImportJobId == load.Import.JobId && (t.IsAvailable || t.AssignedCount > 0)));
        Assert.Equal(20_000, await check.Tasks.Where(t => t.ImportJobId == load.Import.JobId).Select(t => t.ExternalId).Distinct().CountAsync());
        Assert.Equal(warm.Submitted + alone.Submitted + load.Submitted, await check.Annotations.CountAsync(a => a.ProjectId == projectId && a.Status == Portal.Core.Labeling.AnnotationStatus.Submitted));
    }
}

/// <summary>
/// Tests that time calls under load run alone: on 2 cores, other test classes running beside them (browser tests,
/// builds of workbooks) made the slowest call several times slower than the import itself does (CI: 1.3–2.6 s in the
/// full suite, 0.17 s alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadTimingCollection
{
    public const string Name = "Load timing (runs alone)";
}
