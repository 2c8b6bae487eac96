using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;
using Portal.Web.ImportExport;
using Portal.Web.Jobs;
using Portal.Web.Projects;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// Imports and exports as the data page runs them, on the real app with the seeded demo project: jobs in the DataJobs
/// table, run by the same runner Hangfire calls (the test calls it, so it decides when), managers only.
/// </summary>
public sealed class DataJobTests : IAsyncLifetime
{
    private TestPortal portal = default!;
    private AzuriteServer? azurite;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteServer.StartAsync();
        portal = await TestPortal.StartAsync(new Dictionary<string, string>
        {
            ["Portal:Import:Blob:Accounts:archive:ConnectionString"] = azurite.ConnectionString,
            ["Portal:DataFiles:MaxUploadMegabytes"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        await portal.DisposeAsync();
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }

    private async Task<(Guid ProjectId, PortalPrincipal Manager, Dictionary<string, Guid> People)> DemoAsync()
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var projectId = await db.Projects.Where(p => p.Name == DemoSeeder.ProjectName).Select(p => p.Id).SingleAsync();
        var people = await db.Users.ToDictionaryAsync(u => u.Email, u => u.Id);
        return (projectId, new PortalPrincipal(people["morgan.manager@demo.local"], "Morgan", new HashSet<string> { AppRoles.Manager }), people);
    }

    private async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private Task<DataJobView> RunAsync(Guid projectId, PortalPrincipal manager, Guid jobId) => WithScopeAsync(async s =>
    {
        await s.GetRequiredService<DurableRunner>().RunAsync(jobId, default);
        return await s.GetRequiredService<DataJobService>().GetAsync(manager, projectId, jobId, default);
    });

    private Task<Guid> ImportAsync(Guid projectId, PortalPrincipal manager, string name, string content, ImportSpec spec) => WithScopeAsync(async s =>
    {
        var data = s.GetRequiredService<DataJobService>();
        var upload = await data.UploadAsync(manager, projectId, name, new MemoryStream(Encoding.UTF8.GetBytes(content)), default);
        return await data.StartImportAsync(manager, projectId, spec with { Source = new ImportSource(ImportSourceKind.Upload, upload.Id) }, Guid.NewGuid().ToString("N"), default);
    });

    private static string Region(string from, string type, int start, int end, string text, string label) => type == "labels"
        ? $$$"""{"from_name":"{{{from}}}","to_name":"text","type":"labels","value":{"start":{{{start}}},"end":{{{end}}},"text":"{{{text[start..end]}}}","labels":["{{{label}}}"]}}"""
        : $$$"""{"from_name":"{{{from}}}","to_name":"text","type":"choices","value":{"choices":["{{{label}}}"]}}""";

    /// <summary>A Label Studio export: three tasks, annotations by three people (one unknown to the portal), predictions.</summary>
    private static string LabelStudioFile()
    {
        string[] texts = ["Maria Lopez from Berlin ordered a Kettle Pro.", "Refund 40 EUR to Acme Ltd please.", "Jonas in Paris says the Dyson arrived broken."];
        var tasks = texts.Select((t, i) =>
        {
            var ana = $$"""{"id":{{900 + i}},"completed_by":{"email":"ana.annotator@demo.local"},"lead_time":12.5,"created_at":"2026-11-01T10:00:00Z","result":[{{Region("entities", "labels", 0, 5, t, i == 1 ? "Money" : "Person")}},{{Region("sentiment", "choices", 0, 0, t, "Negative")}}]}""";
            var other = i == 2
                ? $$"""{"id":{{950 + i}},"completed_by":{"email":"carol@partner.example"},"result":[{{Region("entities", "labels", 9, 14, t, "City")}},{{Region("sentiment", "choices", 0, 0, t, "Neutral")}}]}"""
                : $$"""{"id":{{950 + i}},"completed_by":{"email":"ben.annotator@demo.local"},"result":[{{Region("entities", "labels", 0, 5, t, i == 1 ? "Money" : "Person")}}]}""";
            return $$"""{"id":{{500 + i}},"data":{"text":"{{t}}","channel":"chat"},"annotations":[{{ana}},{{other}},{"completed_by":{"email":"ana.annotator@demo.local"},"was_cancelled":true,"result":[]}],"predictions":[{"model_version":"ner-v2","result":[{{Region("entities", "labels", 0, 5, t, "Person")}}]}]}""";
        });
        return "[" + string.Join(",\n", tasks) + "]";
    }

    [Fact]
    public async Task LabelStudioAnnotations_OfMappedPeople_RoundTripThroughTheExport()
    {
        var (projectId, manager, people) = await DemoAsync();
        var file = LabelStudioFile();
        var spec = new ImportSpec(new ImportSource(ImportSourceKind.Upload), TaskFileFormat.JsonArray, Annotations: ImportedAnnotations.Annotations);
        var jobId = await ImportAsync(projectId, manager, "ls-export.json", file, spec);

        // carol@partner.example is nobody in the portal: the import waits, naming her, and stores nothing.
        var waiting = await RunAsync(projectId, manager, jobId);
        Assert.Equal(RunState.Waiting, waiting.State);
        Assert.Equal([new UnknownAnnotator("carol@partner.example", 1)], waiting.Pending!.Annotators);
        await WithScopeAsync(async s =>
        {
            await s.GetRequiredService<DataJobService>().ResolveAsync(manager, projectId, jobId,
                new ImportResolution([], new ImportMappings(Annotators: [new AnnotatorMapping("carol@partner.example", people["chloe.annotator@demo.local"])])), default);
            return 0;
        });
        var done = await RunAsync(projectId, manager, jobId);
        Assert.Equal((RunState.Succeeded, 3L, 3L), (done.State, done.Processed, done.Imported));

        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var tasks = await db.Tasks.Where(t => t.ImportJobId == jobId).ToListAsync();
            Assert.All(tasks, t => Assert.Equal((2, 2, TaskState.Open), (t.SubmittedCount, t.AssignedCount, t.State)));
            var imported = await db.Annotations.Include(a => a.Revisions).Where(a => tasks.Select(t => t.Id).Contains(a.TaskId)).ToListAsync();
            Assert.Equal(6, imported.Count);
            Assert.All(imported, a => Assert.Equal((AnnotationStatus.Submitted, RevisionReason.Import), (a.Status, a.Revisions.Single().Reason)));
            Assert.Equal(12_500, imported.Where(a => a.UserId == people["ana.annotator@demo.local"]).Select(a => a.LeadTimeMs).Distinct().Single());
        }

        var exportId = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().StartExportAsync(manager, projectId,
            new ExportOptions(ExportFormat.LabelStudioJson), "round-trip", default));
        var export = await RunAsync(projectId, manager, exportId);
        Assert.True(export.HasFile);
        var (path, downloadName, _) = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().ResultAsync(manager, projectId, exportId, default));
        Assert.EndsWith(".json", downloadName, StringComparison.Ordinal);

        // What came in comes out: per task (by its original id) the same spans, choices and people, and the predictions.
        static Dictionary<string, string> Digest(JsonElement tasks, Func<string, string> person) => tasks.EnumerateArray()
            .Select(t => (Id: t.TryGetProperty("meta", out var m) ? m.GetProperty("external_id").ToString() : t.GetProperty("id").ToString(), Task: t))
            .ToDictionary(x => x.Id, x => string.Join(" | ",
                x.Task.GetProperty("annotations").EnumerateArray().Where(a => !(a.TryGetProperty("was_cancelled", out var c) && c.GetBoolean()))
                    .Select(a => person(a.GetProperty("completed_by").GetProperty("email").GetString()!) + ": " + Regions(a))
                    .Order(StringComparer.Ordinal)
                    .Concat(x.Task.GetProperty("predictions").EnumerateArray().Select(p => "model " + p.GetProperty("model_version").GetString() + ": " + Regions(p)))));
        static string Regions(JsonElement item) => string.Join(", ", item.GetProperty("result").EnumerateArray().Select(r =>
        {
            // The demo's own tasks (exported too, only the imported ones compared) also carry links and notes.
            var type = r.GetProperty("type").GetString();
            if (type is not ("labels" or "choices"))
            {
                return type!;
            }

            var v = r.GetProperty("value");
            return type == "labels"
                ? $"{r.GetProperty("from_name")}[{v.GetProperty("start")},{v.GetProperty("end")})={v.GetProperty("labels")[0]}"
                : $"{r.GetProperty("from_name")}={v.GetProperty("choices")[0]}";
        }).Order(StringComparer.Ordinal));

        using var original = JsonDocument.Parse(file);
        using var exported = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var expected = Digest(original.RootElement, e => e == "carol@partner.example" ? "chloe.annotator@demo.local" : e);
        var actual = Digest(exported.RootElement, e => e);
        Assert.All(expected, kv => Assert.Equal(kv.Value, actual[kv.Key]));
        Assert.Contains("\"channel\":\"chat\"", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownLabels_AreAddedToTheLabelSet_WhenTheManagerSaysSo()
    {
        var (projectId, manager, _) = await DemoAsync();
        const string text = "The Gizmo 3000 from Acme Ltd broke.";
        var file = $$"""{"id":"g1","data":{"text":"{{text}}"},"predictions":[{"result":[{{Region("entities", "labels", 4, 14, text, "Gadget")}},{{Region("entities", "labels", 20, 28, text, "Company")}}]}]}""";
        var jobId = await ImportAsync(projectId, manager, "gadgets.jsonl", file, new ImportSpec(new ImportSource(ImportSourceKind.Upload), TaskFileFormat.Jsonl));
        var waiting = await RunAsync(projectId, manager, jobId);
        Assert.Equal([new UnknownLabel("entities", "Gadget", 1)], waiting.Pending!.Labels);

        await WithScopeAsync(async s =>
        {
            await s.GetRequiredService<DataJobService>().ResolveAsync(manager, projectId, jobId, new ImportResolution([new AddedLabel("entities", "Gadget")], ImportMappings.None), default);
            return 0;
        });
        Assert.Equal(RunState.Succeeded, (await RunAsync(projectId, manager, jobId)).State);

        var questions = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().QuestionsAsync(manager, projectId, default));
        var gadget = questions.Single(q => q.Name == "entities").Labels.Single(l => l.Name == "Gadget");
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var prediction = await db.Predictions.SingleAsync(p => db.Tasks.Any(t => t.Id == p.TaskId && t.ImportJobId == jobId));
        Assert.Contains(AnnotationResult.FromJson(prediction.ResultJson).Spans, s => s.Label == gadget.Key && (s.Start, s.End) == (4, 14));
    }

    [Fact]
    public async Task AzureBlobContainer_ImportsEveryFileUnderThePrefix_AsOneImport()
    {
        var (projectId, manager, _) = await DemoAsync();
        var container = new Azure.Storage.Blobs.BlobContainerClient(azurite!.ConnectionString, "exports");
        await container.CreateIfNotExistsAsync();
        await container.UploadBlobAsync("2026/11/part-1.jsonl", BinaryData.FromString("{\"id\":\"b1\",\"text\":\"First blob, first task.\"}\n{\"id\":\"b2\",\"text\":\"First blob, second task.\"}\n"));
        await container.UploadBlobAsync("2026/11/part-2.jsonl", BinaryData.FromString("{\"id\":\"b3\",\"text\":\"Second blob.\"}\n{\"id\":\"b2\",\"text\":\"Again b2.\"}\n"));
        await container.UploadBlobAsync("2026/12/other.jsonl", BinaryData.FromString("{\"id\":\"x9\",\"text\":\"Not under the prefix.\"}\n"));

        var jobId = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().StartImportAsync(manager, projectId,
            new ImportSpec(new ImportSource(ImportSourceKind.Blob, Account: "archive", Container: "exports", Prefix: "2026/11/"), TaskFileFormat.Jsonl), "blob-1", default));
        var done = await RunAsync(projectId, manager, jobId);

        Assert.Equal((RunState.Succeeded, 4L, 3L, 1L), (done.State, done.Processed, done.Imported, done.Duplicates));
        Assert.True(done.BytesTotal > 0 && done.BytesDone == done.BytesTotal);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(["b1", "b2", "b3"], await db.Tasks.Where(t => t.ImportJobId == jobId).OrderBy(t => t.ExternalId).Select(t => t.ExternalId).ToListAsync());

        var missing = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().StartImportAsync(manager, projectId,
            new ImportSpec(new ImportSource(ImportSourceKind.Blob, Account: "archive", Container: "no-such-container"), TaskFileFormat.Jsonl), "blob-2", default));
        var failed = await RunAsync(projectId, manager, missing);
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("no-such-container", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_IsCompleteOrAbsent_AndOnlyForManagers()
    {
        var (projectId, manager, people) = await DemoAsync();
        var annotator = new PortalPrincipal(people["ana.annotator@demo.local"], "Ana", new HashSet<string> { AppRoles.User });
        var outsider = new PortalPrincipal(Guid.NewGuid(), "Outsider", new HashSet<string> { AppRoles.User });
        var options = new ExportOptions(ExportFormat.Conll, ExportFilter.All, IncludeAnnotators: false);

        await Assert.ThrowsAsync<ForbiddenException>(() => WithScopeAsync(s => s.GetRequiredService<DataJobService>().StartExportAsync(annotator, projectId, options, "a", default)));
        await Assert.ThrowsAsync<NotFoundException>(() => WithScopeAsync(s => s.GetRequiredService<DataJobService>().StartExportAsync(outsider, projectId, options, "a", default)));

        // A double click gives one export.
        var first = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().StartExportAsync(manager, projectId, options, "click", default));
        var second = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().StartExportAsync(manager, projectId, options, "click", default));
        Assert.Equal(first, second);
        await Assert.ThrowsAsync<NotFoundException>(() => WithScopeAsync(s => s.GetRequiredService<DataJobService>().ResultAsync(manager, projectId, first, default)));

        var done = await RunAsync(projectId, manager, first);
        Assert.Equal(RunState.Succeeded, done.State);
        Assert.Equal(done.Total, done.Processed);
        var files = portal.Services.GetRequiredService<DataFiles>();
        Assert.Empty(Directory.GetFiles(files.Root, "*.partial", SearchOption.AllDirectories));
        var (path, _, type) = await WithScopeAsync(s => s.GetRequiredService<DataJobService>().ResultAsync(manager, projectId, first, default));
        Assert.Equal("text/plain", type);
        Assert.StartsWith("-DOCSTART- -X- O", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => WithScopeAsync(s => s.GetRequiredService<DataJobService>().ResultAsync(annotator, projectId, first, default)));

        // Over HTTP too: the annotator gets no file, the manager's browser does.
        using var annotatorClient = await portal.SignInAsync("annotator1");
        using var refused = await annotatorClient.GetAsync($"/projects/{projectId}/data/jobs/{first}/file");
        // The portal's cookie sign-in answers a refusal with its "access denied" page.
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("denied", refused.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
        using var managerClient = await portal.SignInAsync("manager");
        using var download = await managerClient.GetAsync($"/projects/{projectId}/data/jobs/{first}/file");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(new FileInfo(path).Length, (await download.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Uploads_NeedThePagesToken_AndStayUnderTheLimit()
    {
        var (projectId, manager, _) = await DemoAsync();
        using var client = await portal.SignInAsync("manager");
        using var noToken = await client.PostAsync($"/projects/{projectId}/data/uploads?name=a.jsonl", new StringContent("{\"text\":\"x\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Contains("reload the page", await noToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A file over the limit is refused by its announced length, before a byte is stored.
        using var announced = await client.PostAsync($"/projects/{projectId}/data/uploads?name=big.jsonl", new ByteArrayContent(new byte[(2 << 20) + 1]));
        Assert.Equal(HttpStatusCode.BadRequest, announced.StatusCode);
        Assert.Contains("big.jsonl is larger than 1 MB", await announced.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var tooLarge = await Assert.ThrowsAsync<DataFormatException>(() => WithScopeAsync(s => s.GetRequiredService<DataJobService>()
            .UploadAsync(manager, projectId, "big.jsonl", new MemoryStream(new byte[(1 << 20) + 10]), default)));
        Assert.Contains("larger than 1 MB", tooLarge.Message, StringComparison.Ordinal);
        var files = portal.Services.GetRequiredService<DataFiles>();
        Assert.Empty(Directory.Exists(Path.Combine(files.Root, "uploads")) ? Directory.GetFiles(Path.Combine(files.Root, "uploads")) : []);
    }

    [Fact]
    public async Task AJobLeftRunningByACrash_RunsAgainExactlyOnce_ButNotWhileAlive()
    {
        var (projectId, manager, _) = await DemoAsync();
        var jsonl = string.Join('\n', Enumerable.Range(0, 500).Select(i => $$"""{"id":"c{{i}}","text":"Crash test message {{i}}."}"""));
        var jobId = await ImportAsync(projectId, manager, "crash.jsonl", jsonl, new ImportSpec(new ImportSource(ImportSourceKind.Upload), TaskFileFormat.Jsonl));
        var factory = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            // As a process killed mid-import leaves it: Running, nothing committed.
            await db.DataJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, RunState.Running).SetProperty(j => j.HeartbeatAt, DateTime.UtcNow.AddMinutes(-10)));
        }

        var registry = portal.Services.GetRequiredService<RunRegistry>();
        Assert.True(registry.TryStart(jobId, projectId, default, out _));
        Assert.Equal(RunState.Running, (await RunAsync(projectId, manager, jobId)).State);
        registry.Stop(jobId);

        var done = await RunAsync(projectId, manager, jobId);
        var again = await RunAsync(projectId, manager, jobId);
        Assert.Equal((RunState.Succeeded, 500L), (done.State, done.Imported));
        Assert.Equal(done.CompletedAt, again.CompletedAt);
        await using var check = await factory.CreateDbContextAsync();
        Assert.Equal(500, await check.Tasks.CountAsync(t => t.ImportJobId == jobId));
    }
}
