using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.ImportExport;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.ImportExport;
using Portal.Web.Taxonomy;

/// <summary>
/// Import speed on SQLite: a JSONL file of about 300-byte tasks into an empty project, through the same pipeline as the
/// import verb (streamed reading, duplicate checks by external id, prepared inserts in staged batches, publishing),
/// beside its floor (<see cref="ImportFloor"/>); then a second file of which half are the first file's tasks again.
/// </summary>
internal static class ImportBenchmark
{
    public static async Task RunAsync(string folder, int tasks)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "import.db");
        await using var _ = services;

        var now = DateTime.UtcNow;
        var manager = new User { Id = Guid.CreateVersion7(), ExternalId = "bench:manager", Email = "m@bench", DisplayName = "Manager", CreatedAt = now };
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.Add(manager);
            await db.SaveChangesAsync();
        }

        var project = await ProjectAsync(factory, manager, "Import benchmark", annotatorsPerTask: 2);
        var file = Path.Combine(folder, "tasks.jsonl");
        var size = await ImportRows.WriteAsync(file, 0, tasks);
        var imports = services.GetRequiredService<ImportService>();
        PhasePeak.Reset();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var watch = Stopwatch.StartNew();
        var summary = await ImportFileAsync(imports, project.Id, manager.Id, file, "bench");
        watch.Stop();
        var peak = PhasePeak.Bytes();
        Check(summary, read: tasks, imported: tasks, duplicates: 0);

        var (floor, floorPeak) = await ImportFloor.MeasureAsync(folder, tasks);
        Console.WriteLine($"import on SQLite, {tasks:N0} JSONL tasks ({size / 1e6:F0} MB, {size / tasks} bytes each)");
        Console.WriteLine($"  import       {watch.Elapsed.TotalSeconds,6:F1} s, {tasks / watch.Elapsed.TotalSeconds,9:N0} tasks/s, peak {peak / 1e6,4:F0} MB (before it {before / 1e6:F0} MB); imported {summary.Imported:N0}   (target < 20 s, <= 300 MB)");
        Console.WriteLine($"  plain floor  {floor.TotalSeconds,6:F1} s, {tasks / floor.TotalSeconds,9:N0} tasks/s, peak {floorPeak / 1e6,4:F0} MB (the same rows and statement, one prepared insert per row, {ImportFloor.Batch:N0} rows a transaction, values made in the loop, into a fresh project of a fresh file)");
        Console.WriteLine($"  import / floor = {watch.Elapsed / floor:F2}x   (target <= 1.5x)");

        // A second file into the same project: its first half the last half of the first file (same ids and texts), then as many new rows.
        var overlap = tasks / 2;
        var second = Path.Combine(folder, "tasks-overlap.jsonl");
        var secondSize = await ImportRows.WriteAsync(second, tasks - overlap, 2 * tasks - overlap);
        PhasePeak.Reset();
        watch.Restart();
        var again = await ImportFileAsync(imports, project.Id, manager.Id, second, "bench-overlap");
        watch.Stop();
        Check(again, read: tasks, imported: tasks - overlap, duplicates: overlap);
        await using (var db = await factory.CreateDbContextAsync())
        {
            var total = await db.ProjectTaskCounters.Where(c => c.ProjectId == project.Id).Select(c => c.Total).SingleAsync();
            if (total != 2L * tasks - overlap)
            {
                throw new InvalidOperationException($"After both imports the project counts {total:N0} tasks, expected {2L * tasks - overlap:N0}.");
            }
        }

        Console.WriteLine($"second file with 50 % overlap, {tasks:N0} JSONL tasks ({secondSize / 1e6:F0} MB) into the same project");
        Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F1} s, peak {PhasePeak.Bytes() / 1e6:F0} MB; recognised {again.Duplicates:N0} as duplicates, added {again.Imported:N0} (both as expected; the project now has {2L * tasks - overlap:N0} tasks)");

        // The same tasks out again as JSONL (Label Studio task per line), streamed to a file.
        var exportFile = Path.Combine(folder, "export.jsonl");
        PhasePeak.Reset();
        watch.Restart();
        long exported;
        await using (var output = File.Create(exportFile))
        {
            exported = await services.GetRequiredService<ExportService>().ExportAsync(project.Id, new ExportOptions(ExportFormat.Jsonl), output, default);
        }

        watch.Stop();
        Console.WriteLine($"export as JSONL, {exported:N0} tasks ({new FileInfo(exportFile).Length / 1e6:F0} MB, tasks without annotations)");
        Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F1} s; peak resident memory during the export {PhasePeak.Bytes() / 1e6:F0} MB   (target < 20 s, < 300 MB)");

        await WithAnnotationsAsync(folder, services, factory, manager, tasks);
    }

    private static async Task<ImportSummary> ImportFileAsync(ImportService imports, Guid projectId, Guid userId, string file, string key)
    {
        await using var stream = File.OpenRead(file);
        return await imports.RunAsync(projectId, userId, stream, Path.GetFileName(file), key, new ImportOptions(TaskFileFormat.Jsonl), null, default);
    }

    /// <summary>Stops the benchmark when an import did not do what it must: a fast wrong import is no result.</summary>
    private static void Check(ImportSummary summary, long read, long imported, long duplicates)
    {
        if (!summary.Committed || summary.Read != read || summary.Imported != imported || summary.Duplicates != duplicates || summary.Rejected != 0)
        {
            throw new InvalidOperationException(
                $"The import read {summary.Read:N0}, imported {summary.Imported:N0}, found {summary.Duplicates:N0} duplicates and rejected {summary.Rejected:N0} (committed: {summary.Committed}); expected {read:N0} read, {imported:N0} imported, {duplicates:N0} duplicates.");
        }
    }

    /// <summary>An empty project with the customer-messages label set.</summary>
    internal static async Task<Project> ProjectAsync(IDbContextFactory<PortalDbContext> factory, User manager, string name, int annotatorsPerTask)
    {
        var now = DateTime.UtcNow;
        var project = new Project { Id = Guid.CreateVersion7(), Name = name, CreatedAt = now, CreatedById = manager.Id, AnnotatorsPerTask = annotatorsPerTask };
        var taxonomy = new Taxonomy { Id = Guid.CreateVersion7(), ProjectId = project.Id };
        var version = TaxonomyVersionFactory.FromTemplate(TaxonomyTemplates.CustomerMessages, taxonomy.Id, 1, manager.Id, now);
        taxonomy.Versions.Add(version);
        taxonomy.CurrentVersionId = version.Id;
        project.Taxonomy = taxonomy;
        await using var db = await factory.CreateDbContextAsync();
        db.Add(project);
        await db.SaveChangesAsync();
        return project;
    }

    /// <summary>
    /// The export target is for tasks with annotations: a Label Studio JSONL file where every task has one annotation
    /// (two spans and a choice) is imported as annotations of the benchmark's user, then exported as Label Studio JSON
    /// and as JSONL.
    /// </summary>
    private static async Task WithAnnotationsAsync(string folder, IServiceProvider services, IDbContextFactory<PortalDbContext> factory, User manager, int tasks)
    {
        var project = await ProjectAsync(factory, manager, "Export benchmark", annotatorsPerTask: 1);

        var file = Path.Combine(folder, "annotated.jsonl");
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            for (var i = 0; i < tasks; i++)
            {
                var text = $"Customer {i}: my order from Nordwind Logistics has not arrived in Hamburg.";
                var company = text.IndexOf("Nordwind", StringComparison.Ordinal);
                var city = text.IndexOf("Hamburg", StringComparison.Ordinal);
                await writer.WriteLineAsync($$$"""{"id":"a-{{{i}}}","data":{"text":"{{{text}}}"},"annotations":[{"completed_by":{"email":"{{{manager.Email}}}"},"lead_time":8.5,"result":[{"from_name":"entities","to_name":"text","type":"labels","value":{"start":{{{company}}},"end":{{{company + 18}}},"labels":["Company"]}},{"from_name":"entities","to_name":"text","type":"labels","value":{"start":{{{city}}},"end":{{{city + 7}}},"labels":["City"]}},{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["Negative"]}}]}]}""");
            }
        }

        PhasePeak.Reset();
        var watch = Stopwatch.StartNew();
        ImportSummary summary;
        await using (var stream = File.OpenRead(file))
        {
            summary = await services.GetRequiredService<ImportService>().RunAsync(
                project.Id, manager.Id, stream, "annotated.jsonl", "bench-annotated", new ImportOptions(TaskFileFormat.Jsonl, Annotations: ImportedAnnotations.Annotations), null, default);
        }

        watch.Stop();
        Console.WriteLine($"import with annotations, {tasks:N0} Label Studio tasks ({new FileInfo(file).Length / 1e6:F0} MB; one annotation of 2 spans and a choice each)");
        Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F1} s; imported {summary.Imported:N0}, committed {summary.Committed}; peak {PhasePeak.Bytes() / 1e6:F0} MB   (no target; shown for comparison)");

        foreach (var format in new[] { ExportFormat.LabelStudioJson, ExportFormat.Jsonl })
        {
            var output = Path.Combine(folder, format == ExportFormat.Jsonl ? "annotated-export.jsonl" : "annotated-export.json");
            PhasePeak.Reset();
            watch.Restart();
            long exported;
            await using (var stream = File.Create(output))
            {
                exported = await services.GetRequiredService<ExportService>().ExportAsync(project.Id, new ExportOptions(format), stream, default);
            }

            watch.Stop();
            Console.WriteLine($"export with annotations as {format}, {exported:N0} tasks ({new FileInfo(output).Length / 1e6:F0} MB)");
            Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F1} s; peak resident memory during the export {PhasePeak.Bytes() / 1e6:F0} MB   (target < 20 s, < 300 MB)");
        }
    }
}
