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
/// import verb (streamed reading, duplicate checks by external id, prepared inserts, one transaction).
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
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            for (var i = 0; i < tasks; i++)
            {
                await writer.WriteLineAsync($$"""{"id":"msg-{{i}}","text":"Customer message {{i}}: my order #{{100000 + i}} from Nordwind Logistics has not arrived in Hamburg. I paid 49.90 EUR on 12 March and the tracking page still says the parcel is waiting.","channel":"{{(i % 3 == 0 ? "chat" : "email")}}"}""");
            }
        }

        var size = new FileInfo(file).Length;
        PhasePeak.Reset();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var watch = Stopwatch.StartNew();
        await using var stream = File.OpenRead(file);
        var summary = await services.GetRequiredService<ImportService>().RunAsync(
            project.Id, manager.Id, stream, "tasks.jsonl", "bench", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        watch.Stop();
        var peak = PhasePeak.Bytes();
        Console.WriteLine($"import on SQLite, {tasks:N0} JSONL tasks ({size / 1e6:F0} MB, {size / tasks} bytes each)");
        Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F1} s, {tasks / watch.Elapsed.TotalSeconds:N0} tasks/s; imported {summary.Imported:N0}, committed {summary.Committed}   (target < 20 s)");
        Console.WriteLine($"  peak resident memory during the import {peak / 1e6:F0} MB (before it {before / 1e6:F0} MB)   (target < 300 MB)");

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

    /// <summary>An empty project with the customer-messages label set.</summary>
    private static async Task<Project> ProjectAsync(IDbContextFactory<PortalDbContext> factory, User manager, string name, int annotatorsPerTask)
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
