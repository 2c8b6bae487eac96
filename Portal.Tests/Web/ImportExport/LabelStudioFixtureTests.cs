using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data.Entities;
using Portal.Tests.Core.ImportExport;
using Portal.Tests.TestSupport;
using Portal.Web.ImportExport;
using Portal.Web.Projects;
using Xunit.Sdk;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// Every real Label Studio file of shared/fixtures/labelstudio through a project shaped like it: imported with nothing
/// lost (or a named, counted reason), exported back in a form Label Studio's importer accepts and equal to the
/// original in what matters (tasks, data fields, regions with offsets, labels and ids, people, relations, free text),
/// and Portal's own export imported again changes nothing.
/// </summary>
public class LabelStudioFixtureTests
{
    private static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    [LabelStudioFixtureFact]
    public async Task EveryRealFile_ImportsWithNothingLost_ExportsBackTheSame_AndItsOwnExportReimportsAsNothing()
    {
        var failures = new List<string>();
        var files = Directory.GetFiles(LabelStudioFixtures.Folder!, "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            try
            {
                await RoundTripAsync(path);
            }
            catch (Exception ex) when (ex is XunitException or InvalidOperationException or NullReferenceException or KeyNotFoundException)
            {
                failures.Add($"{System.IO.Path.GetFileName(path)}: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")} {ex.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("LabelStudioFixtureTests", StringComparison.Ordinal))}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static async Task RoundTripAsync(string path)
    {
        var root = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var original = root as JsonArray ?? [root.DeepClone()];
        var name = System.IO.Path.GetFileName(path);
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, name, original);
        var textField = TextField(path, original);
        var options = new ImportOptions(TaskFileFormat.JsonArray, ImportValidRows: true, Annotations: ImportedAnnotations.Annotations,
            Mappings: new ImportMappings(Annotators: [.. people.Select(p => new AnnotatorMapping(p.Key, p.Value.Id))]), TextField: textField);
        var service = database.Get<ImportService>();

        var imported = await service.RunAsync(projectId, Manager.UserId, Stream(original.ToJsonString()), name, "first", options, null, default);

        Assert.True(imported.Committed, $"not committed: {(imported.Errors.Count > 0 ? imported.Errors[0].Reason : imported.Needed?.ToString())}");
        Assert.Null(imported.Needed);
        // A task Portal cannot hold (no text at all: an image task) is refused with a reason naming the text field; nothing else is.
        Assert.All(imported.Errors, e => Assert.Contains($"\"{textField ?? "text"}\"", e.Reason, StringComparison.Ordinal));
        var kept = original.Where(t => HasText(t!, textField)).ToList();
        Assert.Equal(kept.Count, (int)imported.Imported);
        CheckTally(imported.Migration, kept);

        var export = await ExportAsync(database, projectId);
        var exported = JsonNode.Parse(export)!.AsArray();
        Assert.Equal(kept.Count, exported.Count);
        foreach (var task in kept)
        {
            // A task without an id is found by its text.
            var id = TaskId(task!);
            var text = ((task!["data"] ?? task)[textField ?? "text"])!.GetValue<string>();
            var back = exported.Single(e => id.Length > 0 ? e!["meta"]?["external_id"]?.ToJsonString() == id : e!["data"]![textField ?? "text"]!.GetValue<string>() == text)!;
            Compare(task!, back, textField ?? "text", people);
        }

        await AcceptedByLabelStudioAsync(database, exported, textField ?? "text");
        await JsonMinAgreesAsync(database, projectId, exported);

        var again = await service.RunAsync(projectId, Manager.UserId, Stream(export), "export.json", "again", options with { TextField = textField }, null, default);
        Assert.Equal((0L, (long)kept.Count), (again.Imported, again.Duplicates));
        // Every task is found again, and nothing is added to it: not an annotation, ground truth or prediction.
        Assert.Equal((0L, 0L), (again.Migration?.AnnotationsAddedToExistingTasks ?? 0, again.Migration?.ExistingTasksAddedTo ?? 0));
        Assert.Equal(0L, again.Migration?.AnnotationsImported ?? 0);
        Assert.Equal(export, await ExportAsync(database, projectId));
    }

    /// <summary>
    /// What Label Studio's importer checks (tasks/serializers.py): every task has a "data" object with its text; an
    /// annotation's completed_by is left out (the importing user) or an object with the "email" of a member, here a
    /// portal user; every result and prediction "result" is a list of regions naming their control, object and type.
    /// </summary>
    private static async Task AcceptedByLabelStudioAsync(TestDatabase database, JsonArray exported, string textField)
    {
        await using var db = await database.ContextAsync();
        var members = (await db.Users.Select(u => u.Email).ToListAsync()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var task in exported)
        {
            Assert.Equal(JsonValueKind.String, task!["data"]![textField]!.GetValueKind());
            foreach (var annotation in task["annotations"]!.AsArray())
            {
                if (annotation!["completed_by"] is { } by)
                {
                    Assert.Equal(["email"], by.AsObject().Select(p => p.Key));
                    Assert.Contains(by["email"]!.GetValue<string>(), members);
                }

                Assert.Equal(JsonValueKind.False, annotation["was_cancelled"]!.GetValueKind());
            }

            foreach (var item in task["annotations"]!.AsArray().Concat(task["predictions"]!.AsArray()))
            {
                Assert.All(item!["result"]!.AsArray(), r => Assert.True(
                    r!["type"]?.GetValue<string>() == "relation" ? r["from_id"] is not null && r["to_id"] is not null : r["from_name"] is not null && r["to_name"] is not null && r["value"] is JsonObject,
                    $"a region Label Studio would not read: {r.ToJsonString()}"));
            }
        }
    }

    /// <summary>The JSON-MIN export has a row per annotation (one for a task without), with the same spans, in code points, as the JSON export.</summary>
    private static async Task JsonMinAgreesAsync(TestDatabase database, Guid projectId, JsonArray exported)
    {
        using var stream = new MemoryStream();
        await database.Get<ExportService>().ExportAsync(projectId, new ExportOptions(ExportFormat.JsonMin), stream, default);
        var rows = JsonNode.Parse(stream.ToArray())!.AsArray();
        Assert.Equal(exported.Sum(t => Math.Max(1, t!["annotations"]!.AsArray().Count)), rows.Count);
        foreach (var (task, annotation) in exported.SelectMany(t => t!["annotations"]!.AsArray().Select(a => (Task: t!, Annotation: a!))).Where(p => p.Annotation["id"] is not null))
        {
            var row = rows.Single(r => r!["id"]!.ToJsonString() == task["id"]!.ToJsonString() && r["annotation_id"]?.ToJsonString() == annotation["id"]!.ToJsonString()
                && r["annotator"]?.GetValue<string>() == annotation["completed_by"]?["email"]?.GetValue<string>())!;
            foreach (var region in annotation!["result"]!.AsArray().Where(r => r!["type"]?.GetValue<string>() == "labels"))
            {
                var value = region!["value"]!;
                Assert.Contains(row[region["from_name"]!.GetValue<string>()]!.AsArray(), s =>
                    s!["start"]!.GetValue<int>() == value["start"]!.GetValue<int>() && s["end"]!.GetValue<int>() == value["end"]!.GetValue<int>()
                    && s["labels"]![0]!.GetValue<string>() == value["labels"]![0]!.GetValue<string>());
            }
        }
    }

    /// <summary>Every annotation and region read is imported, kept as written, or not imported with a reason; the counts add up.</summary>
    private static void CheckTally(MigrationSummary? summary, List<JsonNode?> tasks)
    {
        var annotations = tasks.SelectMany(t => Annotations(t!)).ToList();
        var predictions = tasks.SelectMany(t => t!["predictions"]?.AsArray() ?? []).ToList();
        if (annotations.Count + predictions.Count == 0)
        {
            return;
        }

        Assert.NotNull(summary);
        Assert.Equal((annotations.Count, predictions.Count), ((int)summary.AnnotationsRead, (int)summary.PredictionsRead));
        var notImported = summary.NotImported.Where(l => l.What.Contains("annotation", StringComparison.Ordinal)).Sum(l => l.Count);
        Assert.Equal(summary.AnnotationsRead, summary.AnnotationsImported + notImported);
        Assert.Equal(summary.PredictionsRead, summary.PredictionsImported);
        Assert.Equal(summary.RegionsRead, summary.RegionsImported + summary.RegionsKeptVerbatim);
    }

    private static void Compare(JsonNode task, JsonNode back, string textField, Dictionary<string, User> people)
    {
        var data = task["data"] as JsonObject ?? new JsonObject(task.AsObject().Where(p => p.Key is not ("id" or "annotations" or "predictions" or "completions" or "meta"))
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        foreach (var (key, value) in data)
        {
            Assert.True(JsonNode.DeepEquals(value, back["data"]![key]), $"data.{key} differs in task {TaskId(task)}");
        }

        var exportedAnnotations = back["annotations"]!.AsArray();
        foreach (var annotation in Annotations(task).Where(a => a!["was_cancelled"]?.GetValue<bool>() != true))
        {
            var by = LabelStudioReader.Annotator(JsonDocument.Parse(annotation!.ToJsonString()).RootElement);
            var person = by is null ? people["(importer)"] : people[by];
            // Matched by the id Label Studio gave it, else (an annotation without one) by its person and regions.
            var match = annotation["id"] is { } id ? exportedAnnotations.FirstOrDefault(e => e!["id"]?.ToJsonString() == id.ToJsonString())
                : exportedAnnotations.FirstOrDefault(e => e!["completed_by"]?["email"]?.GetValue<string>() == person.Email && Regions(e).SequenceEqual(Regions(annotation)));
            Assert.True(match is not null, $"annotation {annotation["id"]} of task {TaskId(task)} is not in the export");
            Assert.Equal(Regions(annotation), Regions(match));
            // Label Studio's importer takes completed_by as {"email"} of a member: here, the person it came from.
            Assert.Equal(person.Email, match["completed_by"]!["email"]!.GetValue<string>());
        }

        foreach (var prediction in task["predictions"]?.AsArray() ?? [])
        {
            Assert.Contains(back["predictions"]!.AsArray(), p => Regions(p!).SequenceEqual(Regions(prediction!)));
        }
    }

    /// <summary>A result as comparable strings: spans by id, question, code-point offsets and labels; choices; anything else as written.</summary>
    private static List<string> Regions(JsonNode item) =>
        [.. (item["result"]?.AsArray() ?? []).Select(r => r!["type"]?.GetValue<string>() switch
        {
            "labels" => $"{r["id"]} {r["from_name"]} {r["value"]!["start"]}-{r["value"]!["end"]} {string.Join("|", r["value"]!["labels"]!.AsArray().Select(l => l!.GetValue<string>()).Order())}",
            "choices" => $"{r["from_name"]} {string.Join("|", r["value"]!["choices"]!.AsArray().Select(l => l!.GetValue<string>()).Order())}",
            _ => r.ToJsonString(),
        }).Order(StringComparer.Ordinal)];

    private static IEnumerable<JsonNode?> Annotations(JsonNode task) => (task["annotations"] ?? task["completions"])?.AsArray() ?? [];

    private static string TaskId(JsonNode task) => task["id"]?.ToJsonString() ?? "";

    private static bool HasText(JsonNode task, string? field) => ((task["data"] ?? task)[field ?? "text"]?.GetValueKind()) == JsonValueKind.String;

    /// <summary>The text field: the one the file's labeling config reads when it has one beside it, else "text" or the first string field.</summary>
    private static string? TextField(string path, JsonArray tasks)
    {
        var name = System.IO.Path.GetFileName(path);
        var prefix = name.StartsWith("lsf_", StringComparison.Ordinal) ? string.Join('_', name.Split('_').TakeWhile(p => !p.StartsWith("tasks", StringComparison.Ordinal) && !p.StartsWith("annotations", StringComparison.Ordinal))) : null;
        var config = prefix is null ? null : Directory.GetFiles(LabelStudioFixtures.Folder!, prefix + "_config.xml").FirstOrDefault();
        if (config is not null)
        {
            return TextFields.Check(LabelStudioConfig.TextField(config, File.ReadAllText(config)));
        }

        var data = tasks[0]!["data"] ?? tasks[0]!;
        return data["text"] is not null ? null : TextFields.Check(data.AsObject().FirstOrDefault(p => p.Value?.GetValueKind() == JsonValueKind.String).Key);
    }

    /// <summary>A project whose questions and labels are the file's, and a portal user for each person the file names.</summary>
    private static async Task<(Guid ProjectId, Dictionary<string, User> People)> ProjectAsync(TestDatabase database, string name, JsonArray tasks)
    {
        var questions = new Dictionary<string, Question>(StringComparer.Ordinal);
        var annotators = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            foreach (var item in Annotations(task!).Concat(task!["predictions"]?.AsArray() ?? []))
            {
                if (LabelStudioReader.Annotator(JsonDocument.Parse(item!.ToJsonString()).RootElement) is { } who && item["model_version"] is null)
                {
                    annotators.Add(who);
                }

                foreach (var r in (item["result"]?.AsArray() ?? []).Where(r => r!["type"]?.GetValue<string>() is "labels" or "choices"))
                {
                    var type = r!["type"]!.GetValue<string>();
                    var values = r["value"]![type]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
                    var from = r["from_name"]!.GetValue<string>();
                    var q = questions.TryGetValue(from, out var known) ? known : new Question(type, new SortedSet<string>(StringComparer.Ordinal), false);
                    q.Labels.UnionWith(values);
                    questions[from] = q with { Multiple = q.Multiple || values.Count > 1 };
                }
            }
        }

        await using var db = await database.ContextAsync();
        db.Users.Add(new User { Id = Manager.UserId, ExternalId = "test:mia", Email = "mia@portal.test", DisplayName = Manager.DisplayName, CreatedAt = DateTime.UtcNow });
        var people = new Dictionary<string, User>(StringComparer.Ordinal) { ["(importer)"] = null! };
        foreach (var who in annotators)
        {
            var user = new User { Id = Guid.CreateVersion7(), ExternalId = $"test:{who}", Email = who.Contains('@') ? who : $"ls-user-{who}@portal.test", DisplayName = who, CreatedAt = DateTime.UtcNow };
            db.Users.Add(user);
            people[who] = user;
        }

        await db.SaveChangesAsync();
        people["(importer)"] = await db.Users.SingleAsync(u => u.Id == Manager.UserId);
        var controls = questions.Select(q => new TemplateControl(q.Key, q.Value.Type == "labels" ? ControlKind.Spans : q.Value.Multiple ? ControlKind.MultipleChoice : ControlKind.SingleChoice,
            q.Key, false, [.. q.Value.Labels.Select(l => new TemplateLabel(l, "#1e88e5"))])).ToList();
        if (controls.Count == 0)
        {
            controls.Add(new TemplateControl("topic", ControlKind.SingleChoice, "Topic", false, [new TemplateLabel("other", "#1e88e5")]));
        }

        var template = new TaxonomyTemplate("fixture", name, "From a Label Studio file.", controls);
        var projectId = await database.Get<ProjectService>().CreateAsync(Manager, new NewProject(name.Length > 60 ? name[..60] : name, null, "fixture", new ProjectSettings(), template), default);
        return (projectId, people);
    }

    private sealed record Question(string Type, SortedSet<string> Labels, bool Multiple);

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    private static async Task<string> ExportAsync(TestDatabase database, Guid projectId)
    {
        using var stream = new MemoryStream();
        await database.Get<ExportService>().ExportAsync(projectId, new ExportOptions(ExportFormat.LabelStudioJson), stream, default);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
