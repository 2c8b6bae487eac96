using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Tests.Web.ImportExport;
using Portal.Web.ImportExport;
using Portal.Web.Labeling;

/// <summary>
/// Labeling while an import runs, on one SQLite file: annotators loop next task / submit, first alone, then while
/// 100,000 tasks import from a source that delivers them over 30 s. Prints the calls' p50/p95/max for both.
/// </summary>
internal static class ImportLoadBenchmark
{
    private const int Rows = 100_000;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(string folder, int annotators)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "import-load.db");
        await using var _ = services;
        var (projectId, people, _) = await QueueBenchmark.SeedAsync(factory, 50_000, annotators);
        Guid managerId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            managerId = db.Set<Project>().Where(p => p.Id == projectId).Select(p => p.CreatedById).Single();
        }

        var imports = services.GetRequiredService<ImportService>();
        var labeling = services.GetRequiredService<LabelingService>();
        Console.WriteLine($"labeling during an import on SQLite: {annotators} annotators (next task, submit) on a project of 50,000 tasks; {Rows:N0} tasks imported over {Duration.TotalSeconds:F0} s");
        var alone = await ImportLoad.RunAsync(imports, labeling, projectId, managerId, people, 0, Duration);
        Print("no import", alone);
        var load = await ImportLoad.RunAsync(imports, labeling, projectId, managerId, people, Rows, Duration);
        Print("during the import", load);
        Console.WriteLine($"  import: read {load.Import!.Read:N0}, imported {load.Import.Imported:N0}, duplicates {load.Import.Duplicates:N0}, committed {load.Import.Committed}; "
            + $"failed annotator calls {alone.Failures.Count + load.Failures.Count}");
    }

    private static void Print(string what, ImportLoadResult result) =>
        Console.WriteLine($"  {what,-18} p50 {result.Percentile(50),7:F1} ms   p95 {result.Percentile(95),7:F1} ms   max {result.Max,7:F1} ms   " +
            $"({result.CallMs.Count:N0} calls, {result.Submitted:N0} submitted)");
}
