using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Web.ImportExport;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// A Label Studio re-import adds to tasks the project already has (found by task id, else by text) what they lack:
/// another annotator's annotation, a prediction, a ground truth; the same file again adds nothing; tasks' counts and
/// the project's counters stay equal to a recount.
/// </summary>
public class LabelStudioReimportTests
{
    // Overlap 2: one annotation leaves a task open; the second, added by the re-import, completes it.
    private static async Task<(TestDatabase Database, Guid ProjectId, Guid ImporterId)> SetupAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 0, overlap: 2, annotators: 2);
        return (database, projectId, people[0].UserId);
    }

    private static MemoryStream File(string content) => new(Encoding.UTF8.GetBytes(content));

    private static string Span(string id, int start, int end, string label) =>
        $$$"""{"id":"{{{id}}}","from_name":"entities","to_name":"text","type":"labels","value":{"start":{{{start}}},"end":{{{end}}},"labels":["{{{label}}}"]}}""";

    private static string Mood(string mood) =>
        $$$"""{"id":"m-{{{mood}}}","from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["{{{mood}}}"]}}""";

    // Tasks 101 and 102 by a0; 102's text has no id in the second file, so it is found by its text.
    private const string Lena = "Lena from Northwind rang twice about invoice 7731.";
    private const string Omar = "Omar says the courier left the parcel in the rain.";

    private static readonly string First = $$"""
        [{"id":101,"data":{"text":"{{Lena}}"},"annotations":[{"id":1,"completed_by":{"email":"a0@x"},"result":[{{Span("r1", 0, 4, "Person")}},{{Mood("Negative")}}]}]},
         {"id":102,"data":{"text":"{{Omar}}"},"annotations":[{"id":2,"completed_by":{"email":"a0@x"},"result":[{{Span("r2", 0, 4, "Person")}},{{Mood("Negative")}}]}]}]
        """;

    // a0's annotations again (101 by its id, 102 without one and changed), a1's new ones, a prediction, and a new task.
    private static readonly string Second = $$"""
        [{"id":101,"data":{"text":"{{Lena}}"},
          "annotations":[{"id":1,"completed_by":{"email":"a0@x"},"result":[{{Span("r1", 0, 4, "Person")}},{{Mood("Negative")}}]},
                         {"id":11,"completed_by":{"email":"a1@x"},"lead_time":12.5,"result":[{{Span("r11", 0, 4, "Person")}},{{Span("r12", 10, 19, "Organization")}},{{Mood("Neutral")}}]}],
          "predictions":[{"id":501,"model_version":"ner-v2","score":0.8,"result":[{{Span("p1", 10, 19, "Organization")}}]}]},
         {"data":{"text":"{{Omar}}"},
          "annotations":[{"completed_by":{"email":"a0@x"},"result":[{{Span("x2", 0, 4, "Person")}},{{Mood("Neutral")}}]},
                         {"id":12,"completed_by":{"email":"a1@x"},"result":[{{Mood("Negative")}}]}]},
         {"id":103,"data":{"text":"Ines asks whether the refund for order 55 went out."},"annotations":[{"id":13,"completed_by":{"email":"a1@x"},"result":[{{Mood("Neutral")}}]}]}]
        """;

    private static readonly ImportOptions People = new(TaskFileFormat.JsonArray, Annotations: ImportedAnnotations.Annotations);

    [Fact]
    public async Task Reimport_AddsASecondAnnotatorsAnnotations_ToTasksThereAlready_AndCountsWhatItKeeps()
    {
        var (database, projectId, importer) = await SetupAsync();
        await using var _ = database;
        var service = database.Get<ImportService>();
        Assert.True((await service.RunAsync(projectId, importer, File(First), "first.json", "first", People, null, default)).Committed);

        var summary = await service.RunAsync(projectId, importer, File(Second), "second.json", "second", People, null, default);

        Assert.True(summary.Committed, string.Join("; ", summary.Errors.Select(e => e.Reason)));
        Assert.Equal((3L, 1L, 2L), (summary.Read, summary.Imported, summary.Duplicates));
        var migration = summary.Migration!;
        Assert.Equal((2L, 2L), (migration.AnnotationsAddedToExistingTasks, migration.ExistingTasksAddedTo));
        Assert.Equal((5L, 3L), (migration.AnnotationsRead, migration.AnnotationsImported));
        Assert.Equal(1, Count(migration, ExistingTaskMerge.AlreadyThere));
        Assert.Equal(1, Count(migration, ExistingTaskMerge.PersonAlreadyAnnotated));
        Assert.Contains("2 of them added to 2 task(s) already in the project", migration.Lines()[0], StringComparison.Ordinal);

        await using var db = await database.ContextAsync();
        var users = await db.Users.ToDictionaryAsync(u => u.Email, u => u.Id);
        var lena = await db.Tasks.SingleAsync(t => t.ExternalId == "101");
        var omar = await db.Tasks.SingleAsync(t => t.Text == Omar);
        Assert.Equal((2, 2, 2, false), (lena.SubmittedCount, lena.AssignedCount, lena.TargetAnnotations, lena.IsAvailable));
        Assert.Equal((2, 2, false), (omar.SubmittedCount, omar.AssignedCount, omar.IsAvailable));
        var added = await db.Annotations.Include(a => a.Spans).SingleAsync(a => a.TaskId == lena.Id && a.UserId == users["a1@x"]);
        Assert.Equal([(0, 4), (10, 19)], added.Spans.Select(s => (s.Start, s.End)).Order());
        Assert.Equal(12_500, added.LeadTimeMs);
        // a0 keeps the annotation of the first import on Omar's task; the changed one was counted, not written over it.
        var kept = (await db.Annotations.Include(a => a.Answers).SingleAsync(a => a.TaskId == omar.Id && a.UserId == users["a0@x"])).Answers.Single().LabelKey;
        Assert.Equal("Negative", await db.Labels.Where(l => l.Key == kept).Select(l => l.Name).FirstAsync());
        Assert.Equal("ner-v2", (await db.Predictions.SingleAsync(p => p.TaskId == lena.Id)).ModelVersion);
        await AssertCountersAsync(database, projectId, total: 3, completed: 2);
    }

    [Fact]
    public async Task TheSameFileTwice_AddsNothingTheSecondTime()
    {
        var (database, projectId, importer) = await SetupAsync();
        await using var _ = database;
        var service = database.Get<ImportService>();
        await service.RunAsync(projectId, importer, File(First), "first.json", "first", People, null, default);
        await service.RunAsync(projectId, importer, File(Second), "second.json", "second", People, null, default);
        await using var before = await database.ContextAsync();
        var annotations = await before.Annotations.CountAsync();
        var predictions = await before.Predictions.CountAsync();
        var counts = await before.Tasks.OrderBy(t => t.Id).Select(t => new { t.SubmittedCount, t.AssignedCount, t.TargetAnnotations, t.IsAvailable }).ToListAsync();

        var again = await service.RunAsync(projectId, importer, File(Second), "second.json", "second-again", People, null, default);

        Assert.True(again.Committed);
        Assert.Equal((0L, 3L), (again.Imported, again.Duplicates));
        Assert.Equal((0L, 0L), (again.Migration!.AnnotationsAddedToExistingTasks, again.Migration.ExistingTasksAddedTo));
        Assert.Equal(0L, again.Migration.AnnotationsImported);
        // Every annotation read is counted: already there, or kept as the person's earlier one.
        Assert.Equal(again.Migration.AnnotationsRead, again.Migration.NotImported.Where(l => l.What.Contains("annotation", StringComparison.Ordinal)).Sum(l => l.Count));
        Assert.Equal(1, Count(again.Migration, ExistingTaskMerge.PredictionAlreadyThere));
        await using var after = await database.ContextAsync();
        Assert.Equal((annotations, predictions), (await after.Annotations.CountAsync(), await after.Predictions.CountAsync()));
        Assert.Equal(counts, await after.Tasks.OrderBy(t => t.Id).Select(t => new { t.SubmittedCount, t.AssignedCount, t.TargetAnnotations, t.IsAvailable }).ToListAsync());
        await AssertCountersAsync(database, projectId, total: 3, completed: 2);
    }

    [Fact]
    public async Task GroundTruthReimport_GivesATaskWithoutOneItsGroundTruth_Once()
    {
        var (database, projectId, importer) = await SetupAsync();
        await using var _ = database;
        var service = database.Get<ImportService>();
        await service.RunAsync(projectId, importer, File(First), "first.json", "first", People, null, default);
        var truth = new ImportOptions(TaskFileFormat.JsonArray, Annotations: ImportedAnnotations.GroundTruth);

        var added = await service.RunAsync(projectId, importer, File(First), "first.json", "truth", truth, null, default);
        var again = await service.RunAsync(projectId, importer, File(First), "first.json", "truth-again", truth, null, default);

        Assert.Equal((2L, 2L), (added.Migration!.AnnotationsAddedToExistingTasks, added.Migration.ExistingTasksAddedTo));
        Assert.Equal((0L, 2), (again.Migration!.AnnotationsAddedToExistingTasks, Count(again.Migration, ExistingTaskMerge.AlreadyThere)));
        await using var db = await database.ContextAsync();
        Assert.Equal(2, await db.GroundTruths.CountAsync(g => g.ProjectId == projectId));
        // A ground truth is no one's annotation: the tasks still want their second annotator.
        Assert.Equal(2, await db.Tasks.CountAsync(t => t.SubmittedCount == 1 && t.IsAvailable));
        await AssertCountersAsync(database, projectId, total: 2, completed: 0);
    }

    private static long Count(MigrationSummary summary, string reason) => summary.NotImported.SingleOrDefault(l => l.What == reason)?.Count ?? 0;

    private static async Task AssertCountersAsync(TestDatabase database, Guid projectId, int total, int completed)
    {
        await using var db = await database.ContextAsync();
        var kept = (await db.ProgressAsync([projectId], default))[projectId];
        Assert.Equal((await db.RecountProgressAsync(default))[projectId], kept);
        Assert.Equal((total, completed), (kept.Total, kept.Completed));
    }
}
