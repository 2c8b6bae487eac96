using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Cli;
using Portal.Web.ImportExport;
using Portal.Web.Labeling;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.ImportExport;

/// <summary>The import pipeline on a real SQLite database: counts reconcile, nothing twice, nothing half.</summary>
public class ImportServiceTests
{
    private static MemoryStream File(string content) => new(Encoding.UTF8.GetBytes(content));

    private static async Task<(TestDatabase Database, Guid ProjectId, Guid UserId, ImportService Service)> SetupAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        return (database, projectId, people[0].UserId, database.Get<ImportService>());
    }

    [Fact]
    public async Task Jsonl_ImportsOnce_SkipsDuplicatesByIdAndText_AndTheQueueServesTheTasks()
    {
        var (database, projectId, userId, service) = await SetupAsync();
        await using var _ = database;
        const string jsonl = """
            {"id":"a1","text":"My parcel never arrived.","channel":"email"}
            {"id":"a2","text":"Please refund order 123."}
            {"text":"Please refund order 123."}
            {"id":"a1","text":"Same id, other text."}
            {"text":"A third message without id."}
            """;

        var first = await service.RunAsync(projectId, userId, File(jsonl), "tasks.jsonl", "k1", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        var again = await service.RunAsync(projectId, userId, File(jsonl), "tasks.jsonl", "k1", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        var renamed = await service.RunAsync(projectId, userId, File(jsonl), "copy.jsonl", "k2", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((5L, 3L, 2L, 0L, true), (first.Read, first.Imported, first.Duplicates, first.Rejected, first.Committed));
        Assert.True(again.AlreadyDone);
        Assert.Equal((5L, 0L, 5L), (renamed.Read, renamed.Imported, renamed.Duplicates));
        await using var db = await database.ContextAsync();
        var tasks = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).ToListAsync();
        Assert.Equal(3, tasks.Count);
        Assert.Equal("{\"channel\":\"email\"}", tasks[0].MetadataJson);
        Assert.All(tasks, t => Assert.Equal((2, true, first.JobId), (t.TargetAnnotations, t.IsAvailable, t.ImportJobId!.Value)));
        var annotator = (await db.ProjectMembers.Where(m => m.ProjectId == projectId).Select(m => m.UserId).FirstAsync());
        var item = await LabelingServiceTests.Service(database).NextAsync(new(annotator, "A0", new HashSet<string>()), projectId, default);
        Assert.Contains(item!.TaskId, tasks.Select(t => t.Id));
    }

    [Fact]
    public async Task Atomic_OneBadRow_ImportsNothing_ValidRowsImportsTheRest_AndCountsReconcile()
    {
        var (database, projectId, userId, service) = await SetupAsync();
        await using var _ = database;
        const string jsonl = "{\"text\":\"Good one.\"}\n{oops\n{\"text\":\"Good two.\"}\n{\"title\":\"no text\"}\n";

        var atomic = await service.RunAsync(projectId, userId, File(jsonl), "t.jsonl", "atomic", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(0, await db.Tasks.CountAsync(t => t.ProjectId == projectId));
        }

        var lenient = await service.RunAsync(projectId, userId, File(jsonl), "t.jsonl", "lenient", new ImportOptions(TaskFileFormat.Jsonl, ImportValidRows: true), null, default);

        Assert.Equal((false, 4L, 0L, 2L, 2L), (atomic.Committed, atomic.Read, atomic.Imported, atomic.Rejected, atomic.Withheld));
        Assert.Equal(["t.jsonl, line 2", "t.jsonl, line 4"], atomic.Errors.Select(e => e.Where));
        Assert.Equal((true, 4L, 2L, 2L, 0L), (lenient.Committed, lenient.Read, lenient.Imported, lenient.Rejected, lenient.Withheld));
        foreach (var s in new[] { atomic, lenient })
        {
            Assert.Equal(s.Read, s.Imported + s.Duplicates + s.Rejected + s.Withheld);
        }

        await using var check = await database.ContextAsync();
        Assert.Equal(RunState.Failed, (await check.DataJobs.SingleAsync(j => j.Id == atomic.JobId)).State);
    }

    [Fact]
    public async Task LabelStudio_PredictionsBecomeSuggestions_AnnotationsNeedADecision_UnknownLabelsAreNamed()
    {
        var (database, projectId, userId, service) = await SetupAsync();
        await using var _ = database;
        static string Task(int id, string extra) => $$"""{"id":{{id}},"data":{"text":"Maria Schneider wrote to ana@example.com today."}{{extra}}}""";
        const string person = """{"from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":15,"labels":["Person"]}}""";
        var json = "[" + string.Join(",",
            Task(1, $$""","predictions":[{"model_version":"ner-v2","result":[{{person}}]}]"""),
            Task(2, $$$""","annotations":[{"completed_by":1,"result":[{{{person}}},{"from_name":"intent","to_name":"text","type":"choices","value":{"choices":["Complaint"]}}]}]""")
                .Replace("Maria Schneider wrote", "Maria Schneider called", StringComparison.Ordinal),
            Task(3, ""","predictions":[{"result":[{"from_name":"entities","type":"labels","value":{"start":0,"end":5,"labels":["Wizard"]}}]}]""")
                .Replace("wrote", "sang", StringComparison.Ordinal)) + "]";

        var refused = await service.RunAsync(projectId, userId, File(json), "ls.json", "ls1", new ImportOptions(TaskFileFormat.JsonArray, ImportValidRows: true), null, default);

        // An unknown label stops the import before anything is stored, and names itself with how many tasks use it.
        Assert.False(refused.Committed);
        Assert.Equal([new UnknownLabel("entities", "Wizard", 1)], refused.Needed!.Labels);
        Assert.Equal(["annotations"], refused.Errors.Select(e => e.Field));
        Assert.Equal(refused.Read, refused.Imported + refused.Duplicates + refused.Rejected + refused.Withheld);
        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(RunState.Waiting, (await db.DataJobs.SingleAsync(j => j.Id == refused.JobId)).State);
            Assert.Equal(0, await db.Tasks.CountAsync());
        }

        var personKey = await PersonKeyAsync(database);
        var asTruth = await service.RunAsync(projectId, userId, File(json), "ls.json", "ls2",
            new ImportOptions(TaskFileFormat.JsonArray, ImportValidRows: true, Masking: PiiMasking.BuiltIn, Annotations: ImportedAnnotations.GroundTruth,
                Mappings: new ImportMappings(Labels: [new LabelMapping("entities", "Wizard", personKey)])), null, default);

        Assert.Equal((3L, 0L, 0L), (asTruth.Imported, asTruth.Duplicates, asTruth.Rejected));
        await using var check = await database.ContextAsync();
        var predictions = await check.Predictions.OrderBy(p => p.TaskId).ToListAsync();
        Assert.Equal(["ner-v2", "imported"], predictions.Select(p => p.ModelVersion));
        Assert.All(predictions, p => Assert.Equal(personKey, AnnotationResult.FromJson(p.ResultJson).Spans.Single().Label));
        var predicted = AnnotationResult.FromJson(predictions[0].ResultJson).Spans.Single();
        var truth = await check.GroundTruths.SingleAsync();
        Assert.Equal(GroundTruthSource.Imported, truth.Source);
        var truthTask = await check.Tasks.SingleAsync(t => t.Id == truth.TaskId);
        Assert.Equal("Maria Schneider called to [EMAIL] today.", truthTask.Text);
        var span = AnnotationResult.FromJson(truth.ResultJson).Spans.Single();
        Assert.Equal("Maria Schneider", truthTask.Text[span.Start..span.End]);
        Assert.Single(AnnotationResult.FromJson(truth.ResultJson).Answers);
        Assert.Equal((0, 15), (predicted.Start, predicted.End));
    }

    private static async Task<Guid> PersonKeyAsync(TestDatabase database)
    {
        await using var db = await database.ContextAsync();
        return await db.Labels.Where(l => l.Name == "Person").Select(l => l.Key).FirstAsync();
    }

    [Fact]
    public async Task Crash_MidImport_LeavesNothing_AndARerunCompletesExactlyOnce()
    {
        var (database, projectId, userId, service) = await SetupAsync();
        await using var _ = database;
        var jsonl = string.Join('\n', Enumerable.Range(0, 3000).Select(i => $$"""{"id":"t{{i}}","text":"Message number {{i}} about order {{1000 + i}}."}"""));

        await Assert.ThrowsAsync<IOException>(() =>
            service.RunAsync(projectId, userId, new FailingStream(Encoding.UTF8.GetBytes(jsonl), failAfter: 100_000), "big.jsonl", "crash", new ImportOptions(TaskFileFormat.Jsonl), null, default));
        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(0, await db.Tasks.CountAsync(t => t.ProjectId == projectId));
            Assert.Equal(RunState.Running, (await db.DataJobs.SingleAsync()).State);
        }

        var rerun = await service.RunAsync(projectId, userId, File(jsonl), "big.jsonl", "crash", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((3000L, 3000L, true), (rerun.Read, rerun.Imported, rerun.Committed));
        await using var check = await database.ContextAsync();
        Assert.Equal(3000, await check.Tasks.CountAsync(t => t.ProjectId == projectId));
        Assert.Equal(RunState.Succeeded, (await check.DataJobs.SingleAsync()).State);
    }

    [Fact]
    public async Task Cli_ImportsACsvByProjectName_AndPrintsTheSummary()
    {
        var (database, projectId, _, _) = await SetupAsync();
        await using var _ = database;
        string name;
        await using (var db = await database.ContextAsync())
        {
            name = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync();
        }

        var csv = Path.Combine(database.Folder, "tasks.csv");
        await System.IO.File.WriteAllTextAsync(csv, "ref,message,channel\nr1,\"Hello, I need help\",chat\nr2,Where is my order?,email\n");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await ImportCommand.RunAsync(
            [csv, "--project", name, "--text-column", "message", "--id-column", "ref", $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"],
            stdout, stderr);

        Assert.True(code == 0, stderr.ToString());
        using var summary = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(2, summary.RootElement.GetProperty("imported").GetInt64());
        await using (var db = await database.ContextAsync())
        {
            // The page's path: DataJobService.StartImportAsync writes this entry for the job, on behalf of the project's creator.
            var jobId = summary.RootElement.GetProperty("jobId").GetGuid().ToString();
            var audit = await db.AuditLog.SingleAsync(a => a.ObjectId == jobId);
            var creator = await db.Projects.Where(p => p.Id == projectId).Select(p => p.CreatedById).SingleAsync();
            Assert.Equal(("data.import.start", "DataJob", projectId, creator), (audit.Action, audit.ObjectType, audit.ProjectId!.Value, audit.UserId!.Value));
            Assert.EndsWith("(command line)", audit.UserName, StringComparison.Ordinal);
        }

        using var rerun = new StringWriter();
        Assert.Equal(0, await ImportCommand.RunAsync(
            [csv, "--project", name, "--text-column", "message", "--id-column", "ref", $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"],
            rerun, stderr));
        Assert.True(JsonDocument.Parse(rerun.ToString()).RootElement.GetProperty("alreadyDone").GetBoolean());
        Assert.Equal(2, await ImportCommand.RunAsync([csv, "--project", "No such project", $"--ConnectionStrings:Portal=Data Source={database.Path}"], TextWriter.Null, stderr));
        Assert.Contains("There is no project \"No such project\"", stderr.ToString(), StringComparison.Ordinal);

        // A header naming a column twice used to crash the verb with a stack trace (exit 134): now one line, exit 2.
        var twice = Path.Combine(database.Folder, "twice.csv");
        await System.IO.File.WriteAllTextAsync(twice, "message,channel,channel\nHello,chat,email\n");
        using var error = new StringWriter();
        using var report = new StringWriter();
        var failed = await ImportCommand.RunAsync(
            [twice, "--project", name, "--text-column", "message", $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"],
            report, error);
        Assert.Equal(2, failed);
        Assert.Contains("twice; give each column its own name", report.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_AnnotationsOfPeople_WaitForUnknownNames_ThenMapThem()
    {
        var (database, projectId, _, _) = await SetupAsync();
        await using var _ = database;
        string email;
        await using (var db = await database.ContextAsync())
        {
            email = await db.Users.Select(u => u.Email).FirstAsync();
        }

        var file = Path.Combine(database.Folder, "ls.json");
        await System.IO.File.WriteAllTextAsync(file, """
            [{"id":7,"data":{"text":"Maria Schneider wrote."},"annotations":[{"completed_by":{"email":"someone@partner.example"},
              "result":[{"from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":15,"labels":["Human"]}}]}]}]
            """);
        string[] common = [file, "--project", projectId.ToString(), "--annotations", "annotations", $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"];
        using var stderr = new StringWriter();
        using var waiting = new StringWriter();

        Assert.Equal(2, await ImportCommand.RunAsync(common, waiting, stderr));
        Assert.Contains("label entities:Human; annotator someone@partner.example", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await ImportCommand.RunAsync([.. common, "--map-label", "entities:Human=Nobody"], TextWriter.Null, stderr));
        Assert.Contains("has no label \"Nobody\"", stderr.ToString(), StringComparison.Ordinal);

        using var stdout = new StringWriter();
        var code = await ImportCommand.RunAsync([.. common, "--map-label", "entities:Human=Person", "--map-annotator", $"someone@partner.example={email}"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        await using var check = await database.ContextAsync();
        var annotation = await check.Annotations.Include(a => a.Spans).SingleAsync();
        Assert.Equal(email, await check.Users.Where(u => u.Id == annotation.UserId).Select(u => u.Email).SingleAsync());
        Assert.Equal((0, 15), (annotation.Spans.Single().Start, annotation.Spans.Single().End));
    }

    /// <summary>Reads like a file until <paramref name="failAfter"/> bytes, then fails like a dying process's disk.</summary>
    [Fact]
    public async Task ImportedGroundTruth_GoesBackOutAsGroundTruth_WithTheDecidersEmail_AndTheAccountAndWarningsAreKeptWithTheJob()
    {
        var (database, projectId, userId, service) = await SetupAsync();
        await using var _ = database;
        // "👍 Maria Schneider called": the span is [2, 17) in code points, [3, 18) in UTF-16; its "text" is wrong on purpose.
        const string json = """
            [{"id":5,"data":{"text":"👍 Maria Schneider called"},"annotations":[
              {"id":71,"ground_truth":true,"result":[{"id":"g1","from_name":"entities","to_name":"text","type":"labels","value":{"start":2,"end":17,"text":"Maria","labels":["Person"]}}]},
              {"id":72,"result":[]}]}]
            """;

        var summary = await service.RunAsync(projectId, userId, File(json), "gold.json", "gt", new ImportOptions(TaskFileFormat.JsonArray, Annotations: ImportedAnnotations.GroundTruth), null, default);

        Assert.True(summary.Committed);
        Assert.Equal("region g1", Assert.Single(summary.Warnings).Field);
        Assert.Equal((2L, 1L), (summary.Migration!.AnnotationsRead, summary.Migration.AnnotationsImported));
        await using var db = await database.ContextAsync();
        var job = await db.DataJobs.SingleAsync(j => j.Id == summary.JobId);
        var stored = ImportReport.FromJson(job.SummaryJson);
        Assert.Equal((2L, 1L, 1), (stored.Migration!.AnnotationsRead, stored.Migration.AnnotationsImported, stored.Warnings.Count));
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync();
        using var stream = new MemoryStream();
        await database.Get<ExportService>().ExportAsync(projectId, new ExportOptions(ExportFormat.LabelStudioJson), stream, default);
        using var exported = JsonDocument.Parse(stream.ToArray());
        var task = exported.RootElement.EnumerateArray().Single(t => t.GetProperty("meta").GetProperty("external_id").GetRawText() == "5");
        var truth = Assert.Single(task.GetProperty("annotations").EnumerateArray());
        Assert.Equal((71, true, email), (truth.GetProperty("id").GetInt32(), truth.GetProperty("ground_truth").GetBoolean(), truth.GetProperty("completed_by").GetProperty("email").GetString()));
        var region = truth.GetProperty("result")[0];
        Assert.Equal(("g1", 2, 17, "Maria Schneider"), (region.GetProperty("id").GetString(), region.GetProperty("value").GetProperty("start").GetInt32(),
            region.GetProperty("value").GetProperty("end").GetInt32(), region.GetProperty("value").GetProperty("text").GetString()));
    }

    [Fact]
    public async Task SecondFile_HalfOverlapping_AddsOnlyTheNewHalf_AcrossBatches_AndTheCountersMatchARecount()
    {
        var (database, projectId, userId, service) = await SetupAsync();
        await using var _ = database;
        // More rows than a batch holds, so duplicates and new rows meet in several batches.
        const int rows = (2 * ImportStaging.Batch) + 500;
        static MemoryStream Rows(int from, int to) => File(string.Concat(Enumerable.Range(from, to - from)
            .Select(i => $$"""{"id":"m{{i}}","text":"Message {{i}}: my parcel has not arrived.","channel":"email"}""" + "\n")));

        var first = await service.RunAsync(projectId, userId, Rows(0, rows), "first.jsonl", "first", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        var second = await service.RunAsync(projectId, userId, Rows(rows / 2, rows + (rows / 2)), "second.jsonl", "second", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((true, (long)rows, (long)rows, 0L), (first.Committed, first.Read, first.Imported, first.Duplicates));
        Assert.Equal((true, (long)rows, (long)rows - (rows / 2), (long)rows / 2, 0L), (second.Committed, second.Read, second.Imported, second.Duplicates, second.Rejected));
        await using var db = await database.ContextAsync();
        var ids = await db.Tasks.Where(t => t.ProjectId == projectId).Select(t => t.ExternalId!).ToListAsync();
        Assert.Equal(Enumerable.Range(0, rows + (rows / 2)).Select(i => $"m{i}").Order(), ids.Order());
        Assert.Equal(rows - (rows / 2), await db.Tasks.CountAsync(t => t.ImportJobId == second.JobId && t.IsAvailable));
        var counted = (await db.ProgressAsync([projectId], default))[projectId];
        Assert.Equal((await db.RecountProgressAsync(default))[projectId], counted);
        Assert.Equal(rows + (rows / 2), counted.Total);
    }

    /// <summary>The import with its duplicate keys' hash replaced, so that different ids and texts share keys.</summary>
    private static ImportService Colliding(TestDatabase database, Func<string, ulong> keyOf) =>
        new(database.Factory, database.Get<LabelSetCache>(), database.Get<TimeProvider>(), database.Get<IOptions<LongTextOptions>>()) { TaskKeyOf = keyOf };

    [Fact]
    public async Task KeysThatAllCollide_NeitherDropNorMergeTasks_AndDuplicatesAreStillFound()
    {
        var (database, projectId, userId, _) = await SetupAsync();
        await using var _ = database;
        var service = Colliding(database, _ => 42);
        const string jsonl = """
            {"id":"a1","text":"My parcel never arrived."}
            {"id":"a2","text":"Please refund order 123."}
            {"text":"Please refund order 123."}
            {"id":"a1","text":"Same id, other text."}
            {"text":"A third message without id."}
            """;
        const string more = """
            {"id":"a3","text":"Please refund order 123."}
            {"text":"A fourth message."}
            {"text":"My parcel never arrived."}
            """;

        var first = await service.RunAsync(projectId, userId, File(jsonl), "tasks.jsonl", "k1", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        var renamed = await service.RunAsync(projectId, userId, File(jsonl), "copy.jsonl", "k2", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        var third = await service.RunAsync(projectId, userId, File(more), "more.jsonl", "k3", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        // The same counts as with real keys: within a batch (first), against written tasks (renamed, third).
        Assert.Equal((5L, 3L, 2L), (first.Read, first.Imported, first.Duplicates));
        Assert.Equal((5L, 0L, 5L), (renamed.Read, renamed.Imported, renamed.Duplicates));
        Assert.Equal((3L, 2L, 1L), (third.Read, third.Imported, third.Duplicates));
        await using var db = await database.ContextAsync();
        var tasks = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => new { t.ExternalId, t.Text }).ToListAsync();
        Assert.Equal(
            [("a1", "My parcel never arrived."), ("a2", "Please refund order 123."), (null, "A third message without id."), ("a3", "Please refund order 123."), (null, "A fourth message.")],
            tasks.Select(t => (t.ExternalId, t.Text)));
    }

    [Fact]
    public async Task KeysThatOftenCollide_SecondFileHalfOverlapping_AddsExactlyTheNewHalf_AcrossBatches()
    {
        var (database, projectId, userId, _) = await SetupAsync();
        await using var _ = database;
        // 64 keys for thousands of ids and texts: every lookup meets other tasks' keys, in the batch and in the database.
        var service = Colliding(database, key => (ulong)(key.GetHashCode(StringComparison.Ordinal) & 63));
        const int rows = ImportStaging.Batch + 300;
        static MemoryStream Rows(int from, int to) => File(string.Concat(Enumerable.Range(from, to - from)
            .Select(i => (i % 2 == 0 ? $"{{\"id\":\"m{i}\"," : "{") + $"\"text\":\"Message {i}.\"}}\n")));

        var first = await service.RunAsync(projectId, userId, Rows(0, rows), "first.jsonl", "first", new ImportOptions(TaskFileFormat.Jsonl), null, default);
        var second = await service.RunAsync(projectId, userId, Rows(rows / 2, rows + (rows / 2)), "second.jsonl", "second", new ImportOptions(TaskFileFormat.Jsonl), null, default);

        Assert.Equal((true, (long)rows, 0L), (first.Committed, first.Imported, first.Duplicates));
        Assert.Equal((true, (long)rows - (rows / 2), (long)rows / 2), (second.Committed, second.Imported, second.Duplicates));
        await using var db = await database.ContextAsync();
        var texts = await db.Tasks.Where(t => t.ProjectId == projectId).Select(t => t.Text).ToListAsync();
        Assert.Equal(Enumerable.Range(0, rows + (rows / 2)).Select(i => $"Message {i}.").Order(), texts.Order());
    }

    private sealed class FailingStream(byte[] bytes, int failAfter) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            Position >= failAfter ? throw new IOException("The disk went away.") : base.Read(buffer, offset, Math.Min(count, failAfter - (int)Position));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter ? throw new IOException("The disk went away.") : base.ReadAsync(buffer[..Math.Min(buffer.Length, failAfter - (int)Position)], cancellationToken);
    }
}
