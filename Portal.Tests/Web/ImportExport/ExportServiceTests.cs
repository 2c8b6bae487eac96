using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Web.Cli;
using Portal.Web.Demo;
using Portal.Web.ImportExport;
using Portal.Web.Review;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.ImportExport;

/// <summary>Exports of the demo project: Label Studio JSON the readers accept, filters, anonymity, CSV safety, CoNLL.</summary>
public class ExportServiceTests
{
    private static async Task<(TestDatabase Database, Guid ProjectId)> DemoAsync()
    {
        var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();
        return (database, await db.Projects.Select(p => p.Id).SingleAsync());
    }

    private static async Task<string> ExportAsync(TestDatabase database, Guid projectId, ExportOptions options)
    {
        using var stream = new MemoryStream();
        await database.Get<ExportService>().ExportAsync(projectId, options, stream, default);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task LabelStudioJson_HasEveryTaskWithItsAnnotatorsAndSuggestions_AndLabelStudiosReaderAcceptsIt()
    {
        var (database, projectId) = await DemoAsync();
        await using var _ = database;

        var json = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.LabelStudioJson));

        using var document = JsonDocument.Parse(json);
        var tasks = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(DemoSeeder.TaskCount, tasks.Count);
        var labeled = tasks.First(t => t.GetProperty("annotations").GetArrayLength() > 0);
        var annotation = labeled.GetProperty("annotations")[0];
        Assert.Equal("ana.annotator@demo.local", annotation.GetProperty("completed_by").GetProperty("email").GetString());
        var span = annotation.GetProperty("result").EnumerateArray().First(r => r.GetProperty("type").GetString() == "labels").GetProperty("value");
        var text = labeled.GetProperty("data").GetProperty("text").GetString()!;
        Assert.Equal(text[span.GetProperty("start").GetInt32()..span.GetProperty("end").GetInt32()], span.GetProperty("text").GetString());
        Assert.Contains(tasks, t => t.GetProperty("predictions").GetArrayLength() > 0);
        Assert.Contains(tasks, t => t.GetProperty("meta").GetProperty("external_id").GetString() == "msg-0001");

        var read = LabelStudioReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "export.json");
        Assert.Equal(DemoSeeder.TaskCount, read.Tasks.Count);
        Assert.Contains(read.Tasks.SelectMany(t => t.Annotations), a => a.Annotator == "ben.annotator@demo.local");
    }

    [Fact]
    public async Task ExportFormats_HaveOneRowPerFormat_AndTheServiceWritesWithTheRowsWriter()
    {
        var (database, projectId) = await DemoAsync();
        await using var _ = database;

        Assert.Equal(Enum.GetValues<ExportFormat>(), ExportFormats.All.Select(f => f.Format).Order());
        Assert.Equal(ExportFormats.All.Count, ExportFormats.All.Select(f => f.Key).Distinct().Count());
        Assert.Equal(ExportFormats.All.Count, ExportFormats.All.Select(f => f.Extension).Distinct().Count());
        Assert.Same(ExportFormats.Of(ExportFormat.Csv), ExportFormats.ByKey("CSV"));
        Assert.Null(ExportFormats.ByKey("xlsx"));
        Assert.Equal(("jsonl", "application/x-ndjson"), (ExportFormats.Of(ExportFormat.Jsonl).Extension, ExportFormats.Of(ExportFormat.Jsonl).ContentType));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportFormats.Of((ExportFormat)99));
        foreach (var format in ExportFormats.All)
        {
            await using var start = new StringWriter();
            var writer = format.Writer(start, new ExportLabelNames(new Dictionary<Guid, string>()), new ExportOptions(format.Format));
            await writer.StartAsync();
            (writer as IDisposable)?.Dispose();

            var exported = await ExportAsync(database, projectId, new ExportOptions(format.Format));

            Assert.StartsWith(start.ToString(), exported, StringComparison.Ordinal);
            Assert.True(exported.Length > start.ToString().Length + 100, $"{format.Key} wrote no tasks");
        }
    }

    [Fact]
    public async Task Filters_AndAnonymousExports_WriteOnlyWhatWasAsked()
    {
        var (database, projectId) = await DemoAsync();
        await using var _ = database;

        var accepted = (await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Jsonl, ExportFilter.ReviewedAccepted))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var truth = (await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Jsonl, ExportFilter.GroundTruth))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var anonymous = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Jsonl, IncludeAnnotators: false));
        var anonymousCsv = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Csv, IncludeAnnotators: false));

        await using var db = await database.ContextAsync();
        Assert.Single(accepted);
        Assert.Equal(await db.GroundTruths.CountAsync(), truth.Length);
        Assert.DoesNotContain("@demo.local", anonymous + anonymousCsv, StringComparison.Ordinal);
        // Label Studio gives an annotation without completed_by to whoever imports it; a made-up e-mail it would refuse.
        Assert.DoesNotContain("completed_by", anonymous, StringComparison.Ordinal);
        Assert.Contains("annotations", anonymous, StringComparison.Ordinal);
        Assert.Contains("annotator-1", anonymousCsv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_NeutralisesFormulas_AndConllHasOneDocumentPerAnnotation()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        await using (var db = await database.ContextAsync())
        {
            var task = await db.Tasks.SingleAsync();
            task.Text = "=HYPERLINK(\"http://x\") Maria Schneider";
            await db.SaveChangesAsync();
        }

        var labeling = Service(database);
        var item = (await labeling.NextAsync(people[0], projectId, default))!;
        var person = item.Controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Person").Key;
        var maria = item.Text.IndexOf("Maria", StringComparison.Ordinal);
        await labeling.SubmitAsync(people[0], projectId, item.TaskId, Answered(item) with { Spans = [new SpanValue("entities", person, maria, maria + 15)] }, item.Version, 1, default);

        var csv = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Csv));
        var conll = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Conll));

        Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\") Maria Schneider\",", csv, StringComparison.Ordinal);
        Assert.StartsWith("-DOCSTART- -X- O\n", conll, StringComparison.Ordinal);
        Assert.Contains("Maria -X- _ B-Person\nSchneider -X- _ I-Person\n\n", conll, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conll_UnannotatedAsO_AddsOneAllODocumentPerTaskWithoutResults()
    {
        var (database, projectId) = await DemoAsync();
        await using var _ = database;
        await using var db = await database.ContextAsync();
        var unannotated = await db.Tasks.Where(t => t.ProjectId == projectId).Published(db).CountAsync(t => !db.Annotations.Any(a => a.TaskId == t.Id
            && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted || a.Status == AnnotationStatus.Rejected))
            && !db.GroundTruths.Any(g => g.TaskId == t.Id && g.Source == Portal.Core.Review.GroundTruthSource.Imported));

        var plain = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Conll));
        var withO = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.Conll, UnannotatedAsO: true));

        static string[] Documents(string conll) => conll[(ConllExport.Header.Length + 1)..].Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(unannotated > 0);
        Assert.Equal(Documents(plain).Length + unannotated, Documents(withO).Length);
        Assert.Equal(unannotated, Documents(withO).Count(d => d.Split('\n').All(l => l.EndsWith(" O", StringComparison.Ordinal))) - Documents(plain).Count(d => d.Split('\n').All(l => l.EndsWith(" O", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task RoundTrip_ExportedPredictionsAndAnnotations_ImportBackEqual()
    {
        var (database, projectId) = await DemoAsync();
        await using var _ = database;
        var json = await ExportAsync(database, projectId, new ExportOptions(ExportFormat.LabelStudioJson, ExportFilter.Submitted));
        var (target, people) = await ProjectAsync(database, tasks: 0, overlap: 1, annotators: 1);

        // The demo's label set v2 split "Praise"; the fresh project still has it whole, so its parts are mapped onto it.
        Guid praise;
        await using (var setup = await database.ContextAsync())
        {
            praise = await setup.Labels.Where(l => l.Name == "Praise" && setup.TaxonomyVersions.Any(v => v.Id == l.TaxonomyVersionId && setup.Taxonomies.Any(t => t.Id == v.TaxonomyId && t.ProjectId == target)))
                .Select(l => l.Key).SingleAsync();
        }

        var mappings = new ImportMappings(Labels: [new LabelMapping("intent", "Praise of staff", praise), new LabelMapping("intent", "Praise of service", praise)]);
        var summary = await database.Get<ImportService>().RunAsync(target, people[0].UserId, new MemoryStream(Encoding.UTF8.GetBytes(json)),
            "export.json", "round-trip", new ImportOptions(TaskFileFormat.JsonArray, Annotations: ImportedAnnotations.GroundTruth, Mappings: mappings), null, default);

        Assert.True(summary.Committed, string.Join("; ", summary.Errors.Select(e => e.Reason)));
        await using var db = await database.ContextAsync();
        var original = await db.Annotations.Where(a => a.ProjectId == projectId && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted))
            .OrderBy(a => a.Id).Include(a => a.Spans).ToListAsync();
        var firstByTask = original.GroupBy(a => a.TaskId).Select(g => g.First()).ToDictionary(a => db.Tasks.Single(t => t.Id == a.TaskId).ExternalId!);
        var imported = await db.GroundTruths.Where(g => g.ProjectId == target).ToListAsync();
        Assert.Equal(firstByTask.Count, imported.Count);
        // The two projects have their own label keys: spans compare by offsets and label name.
        var names = (await db.Labels.Select(l => new { l.Key, l.Name }).ToListAsync()).DistinctBy(l => l.Key).ToDictionary(l => l.Key, l => l.Name);
        foreach (var truth in imported)
        {
            var externalId = db.Tasks.Single(t => t.Id == truth.TaskId).ExternalId!;
            var spans = AnnotationResult.FromJson(truth.ResultJson).Spans.Select(s => (s.Start, s.End, names[s.Label])).Order().ToList();
            Assert.Equal(firstByTask[externalId].Spans.Select(s => (s.Start, s.End, names[s.LabelKey])).Order().ToList(), spans);
        }
    }

    [Fact]
    public async Task Cli_WritesACompleteFile_OrNone()
    {
        var (database, _) = await DemoAsync();
        await using var __ = database;
        var output = Path.Combine(database.Folder, "out.conll");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(0, await ExportCommand.RunAsync(["--project", DemoSeeder.ProjectName, "--format", "conll", "--out", output, $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"], stdout, stderr));
        Assert.StartsWith("-DOCSTART-", await File.ReadAllTextAsync(output), StringComparison.Ordinal);

        var min = Path.Combine(database.Folder, "out.min.json");
        Assert.Equal(0, await ExportCommand.RunAsync(["--project", DemoSeeder.ProjectName, "--format", "json-min", "--out", min, $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"], stdout, stderr));
        using (var rows = JsonDocument.Parse(await File.ReadAllTextAsync(min)))
        {
            Assert.Contains(rows.RootElement.EnumerateArray(), r => r.GetProperty("annotator").ValueKind == JsonValueKind.String && r.TryGetProperty("sentiment", out _));
        }

        // The all-O option belongs to CoNLL: asked of another format, it is refused, not ignored.
        var tsv = Path.Combine(database.Folder, "out.tsv");
        Assert.Equal(2, await ExportCommand.RunAsync(["--project", DemoSeeder.ProjectName, "--format", "tsv", "--conll-unannotated", "--out", tsv, $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"], TextWriter.Null, stderr));
        Assert.Contains("CoNLL-2003 export only", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(tsv));

        var missing = Path.Combine(database.Folder, "none.json");
        Assert.Equal(2, await ExportCommand.RunAsync(["--project", "Nope", "--format", "labelstudio", "--out", missing, $"--ConnectionStrings:Portal=Data Source={database.Path}"], TextWriter.Null, stderr));
        Assert.False(File.Exists(missing));
        Assert.False(File.Exists(missing + ".partial"));
    }
}
