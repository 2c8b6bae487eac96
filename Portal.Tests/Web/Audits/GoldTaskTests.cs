using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Taxonomy;
using Portal.Tests.TestSupport;
using Portal.Web.ImportExport;
using Portal.Web.Taxonomy;

namespace Portal.Tests.Web.Audits;

/// <summary>Gold tasks end to end: served to everyone once, left alone by consensus, marked in bulk or on import, explained after submit.</summary>
public class GoldTaskTests
{
    [Fact]
    public async Task GoldTask_IsServedToEveryAnnotatorOnce_BeyondTheOverlap_AndUnmarkingRestoresTheOverlap()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 1, gold: 1, annotators: 4, overlap: 2);

        // Overlap 2, but each of three annotators gets the gold task, once.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(setup.GoldTaskIds[0], await setup.LabelNextAsync(setup.People[i], good: i != 1));
            Assert.Null(await setup.Labeling.NextAsync(setup.People[i], setup.ProjectId, default));
        }

        await using (var db = await database.ContextAsync())
        {
            var task = await db.Tasks.SingleAsync();
            Assert.True(task.IsAvailable);
            Assert.Equal(3, task.SubmittedCount);
            // Three annotators disagreed, yet consensus left the gold task's ground truth and answer as marked.
            Assert.Equal(setup.Truth.ToJson(), (await db.GroundTruths.SingleAsync()).ResultJson);
            Assert.Equal(setup.Truth.ToJson(), (await db.GoldAnswers.SingleAsync()).ResultJson);
            Assert.NotEqual(TaskState.Adjudication, task.State);
            Assert.Equal(3, await db.GoldScores.CountAsync());
            Assert.Equal(TaskEventKind.MarkedGold, (await db.TaskEvents.SingleAsync()).Kind);
        }

        Assert.Equal(1, await setup.Gold.UnmarkAsync(GoldSetup.Lead, setup.ProjectId, setup.GoldTaskIds, default));

        Assert.Null(await setup.Labeling.NextAsync(setup.People[3], setup.ProjectId, default));
        await using var check = await database.ContextAsync();
        var unmarked = await check.Tasks.SingleAsync();
        Assert.Equal((false, 2, false), (unmarked.IsGold, unmarked.TargetAnnotations, unmarked.IsAvailable));
        Assert.Empty(await check.GoldAnswers.ToListAsync());
        Assert.Equal(3, await check.GoldScores.CountAsync());
    }

    [Fact]
    public async Task ProjectProgress_CountsAGoldTaskAsComplete_ThoughItStaysOpenForEveryAnnotator()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 3, gold: 1, annotators: 1);
        await using var db = await database.ContextAsync();

        var progress = (await Portal.Data.Queries.TaskQueries.ProgressAsync(db, [setup.ProjectId], default))[setup.ProjectId];

        Assert.True(await db.Tasks.AnyAsync(t => t.IsGold && t.State == TaskState.Open && t.IsAvailable));
        Assert.Equal((3, 1), (progress.Total, progress.Completed));
    }

    [Fact]
    public async Task MarkPasted_ListsEveryWrongEntryWithItsLine_AndMarksNothing_ThenMarksByIdOrExternalId()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 3, gold: 0, annotators: 1);
        long[] ids;
        await using (var db = await database.ContextAsync())
        {
            var tasks = await db.Tasks.OrderBy(t => t.Id).ToListAsync();
            ids = [.. tasks.Select(t => t.Id)];
            tasks[0].ExternalId = "ext-a";
            var versionId = (await db.Taxonomies.SingleAsync(x => x.ProjectId == setup.ProjectId)).CurrentVersionId!.Value;
            db.GroundTruths.AddRange(tasks.Take(2).Select(t => new Portal.Data.Entities.GroundTruth
            {
                TaskId = t.Id, ProjectId = setup.ProjectId, ResultJson = setup.Truth.ToJson(), DecidedAt = DateTime.UtcNow, TaxonomyVersionId = versionId,
            }));
            await db.SaveChangesAsync();
        }

        var refused = await Assert.ThrowsAsync<ValidationException>(() =>
            setup.Gold.MarkAsync(GoldSetup.Lead, setup.ProjectId, $"ext-a, {ids[1]}\nnope\n{ids[2]}", default));

        Assert.Equal(["Line 2: \"nope\" is neither a task id nor an external id in this project.",
            $"Line 3: task {ids[2]} has no ground truth yet (adjudicate it or wait for consensus first)."], refused.Errors.Select(e => e.Message));
        await using (var db = await database.ContextAsync())
        {
            Assert.False(await db.Tasks.AnyAsync(t => t.IsGold));
        }

        Assert.Equal(2, await setup.Gold.MarkAsync(GoldSetup.Lead, setup.ProjectId, $"ext-a; {ids[1]}\n\n", default));
        await Assert.ThrowsAsync<ValidationException>(() => setup.Gold.MarkAsync(GoldSetup.Lead, setup.ProjectId, " \n, ", default));
        await Assert.ThrowsAsync<ForbiddenException>(() => setup.Gold.MarkAsync(setup.People[0], setup.ProjectId, "ext-a", default));
        var overview = await setup.Gold.OverviewAsync(GoldSetup.Lead, setup.ProjectId, default);
        Assert.Equal(2, overview.Count);
        Assert.Equal(["ext-a", null], overview.Shown.OrderBy(r => r.TaskId).Select(r => r.ExternalId));
        await using var check = await database.ContextAsync();
        Assert.True(await check.AuditLog.AnyAsync(e => e.Action == "gold.mark" && e.ProjectId == setup.ProjectId));
    }

    [Fact]
    public async Task Feedback_ShowsScoreAndBothAnswers_OnlyWhenTheProjectAllowsIt_AndOnlyForOwnSubmittedGoldWork()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 2, gold: 1, annotators: 2, p => p.GoldTaskRatePercent = 100);
        var goldTask = setup.GoldTaskIds[0];
        Assert.Equal(goldTask, await setup.LabelNextAsync(setup.People[0], good: false));
        var plain = (await setup.LabelNextAsync(setup.People[0], good: true))!.Value;

        Assert.Null(await setup.Gold.FeedbackAsync(setup.People[0], setup.ProjectId, goldTask, default));

        await using (var db = await database.ContextAsync())
        {
            (await db.Projects.SingleAsync(p => p.Id == setup.ProjectId)).ShowGoldFeedback = true;
            await db.SaveChangesAsync();
        }

        var feedback = await setup.Gold.FeedbackAsync(setup.People[0], setup.ProjectId, goldTask, default);
        Assert.NotNull(feedback);
        Assert.Equal(0, feedback.Score);
        Assert.Equal("Person: \"Maria Schneider\"", feedback.Expected[0].Text);
        Assert.False(feedback.Expected[0].Matched);
        Assert.Equal(3, feedback.Expected.Count);
        Assert.Equal(2, feedback.Yours.Count);
        Assert.All(feedback.Yours, line => Assert.False(line.Matched));
        // Nothing about an ordinary task, nor about a gold task this person has not submitted.
        Assert.Null(await setup.Gold.FeedbackAsync(setup.People[0], setup.ProjectId, plain, default));
        Assert.Null(await setup.Gold.FeedbackAsync(setup.People[1], setup.ProjectId, goldTask, default));
    }

    [Fact]
    public async Task Scoring_AfterATaxonomyMerge_ReadsTheGoldAnswerThroughTheMigrationMap()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 1, gold: 1, annotators: 1);
        var taxonomy = database.Get<TaxonomyService>();
        var state = await taxonomy.LoadAsync(GoldSetup.Lead, setup.ProjectId, default);
        Guid Key(string path) => state.Draft.Model.AllLabels.Single(x => state.Draft.Model.PathOf(x.Label.Key) == path).Label.Key;
        var (person, organization) = (Key("Person"), Key("Organization"));
        var version = await taxonomy.SaveDraftAsync(GoldSetup.Lead, setup.ProjectId, state.Draft.Merge(person, organization), state.ConcurrencyVersion, default);
        await taxonomy.PublishAsync(GoldSetup.Lead, setup.ProjectId, version, "Person merged into Organization", default);

        // The gold answer still says Person (v1); the annotator labels the same text Organization under v2.
        var item = (await setup.Labeling.NextAsync(setup.People[0], setup.ProjectId, default))!;
        var work = new AnnotationResult([new SpanValue("entities", organization, 12, 27)], setup.Truth.Answers);
        await setup.Labeling.SubmitAsync(setup.People[0], setup.ProjectId, item.TaskId, work, item.Version, 1000, default);

        await using var check = await database.ContextAsync();
        Assert.Equal(1, (await check.GoldScores.SingleAsync()).Score);
        Assert.Contains(person.ToString(), (await check.GoldAnswers.SingleAsync()).ResultJson, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Import_GoldFlagAndLabelStudioGroundTruth_MakeGoldTasksWithThatAnswer_AndAGoldFlagWithoutAnswerIsAnError()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 0, gold: 0, annotators: 2);
        const string person = """{"from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":15,"labels":["Person"]}}""";
        const string second = """{"from_name":"entities","to_name":"text","type":"labels","value":{"start":25,"end":32,"labels":["Person"]}}""";
        var json = $$$"""
            [{"id":1,"data":{"text":"Maria Schneider lives in Hamburg now."},"annotations":[
                {"completed_by":{"email":"a0@x"},"result":[{{{person}}}]},
                {"completed_by":{"email":"a1@x"},"ground_truth":true,"result":[{{{person}}},{{{second}}}]}]},
             {"id":2,"gold":true,"data":{"text":"Jonas Becker wrote again."},"annotations":[{"completed_by":{"email":"a0@x"},"result":[]}]},
             {"id":3,"data":{"text":"Nobody special here."}}]
            """;
        var service = database.Get<ImportService>();

        var first = await service.RunAsync(setup.ProjectId, setup.People[0].UserId, new MemoryStream(Encoding.UTF8.GetBytes(json)), "ls.json", "g1",
            new ImportOptions(TaskFileFormat.JsonArray, ImportValidRows: true, Annotations: ImportedAnnotations.Annotations), null, default);

        // Task 2 says gold but none of its annotations is the ground truth: a row error naming it; the rest import.
        var error = Assert.Single(first.Errors);
        Assert.Contains("ground_truth", error.Reason, StringComparison.Ordinal);
        Assert.Equal(2, first.Imported);
        await using (var db = await database.ContextAsync())
        {
            var gold = await db.Tasks.SingleAsync(t => t.IsGold);
            Assert.Equal("1", gold.ExternalId);
            Assert.Equal((GoldTasks.Target, true), (gold.TargetAnnotations, gold.IsAvailable));
            var answer = AnnotationResult.FromJson((await db.GoldAnswers.SingleAsync(g => g.TaskId == gold.Id)).ResultJson);
            Assert.Equal(2, answer.Spans.Count);
            Assert.Equal((await db.GroundTruths.SingleAsync(g => g.TaskId == gold.Id)).ResultJson, answer.ToJson());
            Assert.True(await db.TaskEvents.AnyAsync(e => e.TaskId == gold.Id && e.Kind == TaskEventKind.MarkedGold));
        }

        const string jsonl = """
            {"id":"j1","text":"Clara Weiss called twice.","gold":true,"annotations":[{"result":[{"from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":11,"labels":["Person"]}}]}]}
            """;
        var asTruth = await service.RunAsync(setup.ProjectId, setup.People[0].UserId, new MemoryStream(Encoding.UTF8.GetBytes(jsonl)), "gold.jsonl", "g2",
            new ImportOptions(TaskFileFormat.Jsonl, Annotations: ImportedAnnotations.GroundTruth), null, default);

        Assert.True(asTruth.Committed);
        await using var check = await database.ContextAsync();
        var imported = await check.Tasks.SingleAsync(t => t.ExternalId == "j1");
        Assert.True(imported.IsGold);
        Assert.Single(AnnotationResult.FromJson((await check.GoldAnswers.SingleAsync(g => g.TaskId == imported.Id)).ResultJson).Spans);
        // Served like any gold task: the second annotator (who labeled nothing of it) gets one of them.
        Assert.NotNull(await setup.Labeling.NextAsync(setup.People[1], setup.ProjectId, default));
    }
}
