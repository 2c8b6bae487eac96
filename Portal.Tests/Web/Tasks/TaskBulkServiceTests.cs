using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.ImportExport;
using Portal.Web.Tasks;

namespace Portal.Tests.Web.Tasks;

/// <summary>Bulk actions of the task browser: refusals say which task and why, stale selections are reported, managers only.</summary>
public class TaskBulkServiceTests
{
    private static readonly PortalPrincipal Manager = TaskBrowserServiceTests.Manager;

    [Fact]
    public async Task MarkGold_MarksTasksWithGroundTruth_AndSaysWhyEachOtherWasLeft()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var seeded = await TaskBrowserSeed.DiverseAsync(database, projectId, people);

        var result = await database.Get<TaskBulkService>().MarkGoldAsync(Manager, projectId, TaskSelection.Of(seeded[0], seeded[5], seeded[4], 987654), default);

        Assert.Equal(1, result.Changed);
        Assert.Equal([(987654L, "is no longer in this project"), (seeded[4], "was deleted"), (seeded[5], "has no ground truth yet: adjudicate it or wait for consensus")],
            result.Refused.Select(r => (r.TaskId, r.Reason)));
        await using var db = await database.ContextAsync();
        Assert.True(await db.Tasks.Where(t => t.Id == seeded[0]).Select(t => t.IsGold).SingleAsync());
        Assert.False(await db.Tasks.Where(t => t.Id == seeded[5]).Select(t => t.IsGold).SingleAsync());
    }

    [Fact]
    public async Task BulkActions_AreForManagers_AndNeedASelection()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var seeded = await TaskBrowserSeed.DiverseAsync(database, projectId, people);
        var reviewer = await TaskBrowserSeed.MemberAsync(database, projectId, ProjectRole.Reviewer);
        var bulk = database.Get<TaskBulkService>();

        await Assert.ThrowsAsync<ForbiddenException>(() => bulk.DeleteAsync(reviewer, projectId, TaskSelection.Of(seeded[5]), default));
        await Assert.ThrowsAsync<ForbiddenException>(() => bulk.MarkGoldAsync(reviewer, projectId, TaskSelection.Of(seeded[0]), default));
        Assert.Equal("selection", (await Assert.ThrowsAsync<ValidationException>(() => bulk.SetPriorityAsync(Manager, projectId, TaskSelection.Of(), 3, default))).Errors[0].Field);
        Assert.Equal("priority", (await Assert.ThrowsAsync<ValidationException>(() => bulk.SetPriorityAsync(Manager, projectId, TaskSelection.Of(seeded[5]), 5000, default))).Errors[0].Field);
        Assert.Equal("reason", (await Assert.ThrowsAsync<ValidationException>(() => bulk.SendToRelabelAsync(Manager, projectId, TaskSelection.Of(seeded[2]), "  ", default))).Errors[0].Field);
        await using var db = await database.ContextAsync();
        Assert.Null(await db.Tasks.Where(t => t.Id == seeded[5]).Select(t => t.DeletedAt).SingleAsync());
    }

    [Fact]
    public async Task SetPriority_OverAllMatching_ChangesThoseTasks_AndIsAudited()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var seeded = await TaskBrowserSeed.DiverseAsync(database, projectId, people);

        var result = await database.Get<TaskBulkService>().SetPriorityAsync(Manager, projectId, new TaskSelection(null, new TaskFilter(AgreementMin: 0.75)), 7, default);

        Assert.Equal(2, result.Changed);
        await using var db = await database.ContextAsync();
        Assert.Equal([seeded[0], seeded[5]], await db.Tasks.Where(t => t.Priority == 7).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync());
        var entry = await db.AuditLog.SingleAsync(e => e.Action == "task.priority");
        Assert.Equal(projectId, entry.ProjectId);
        Assert.Contains("2 task(s)", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendToRelabel_SendsSubmittedWorkBackWithTheReason_AndRefusesUnlabeledTasks()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var seeded = await TaskBrowserSeed.DiverseAsync(database, projectId, people);
        var bulk = database.Get<TaskBulkService>();

        var result = await bulk.SendToRelabelAsync(Manager, projectId, TaskSelection.Of(seeded[2], seeded[5]), "Product now covers accessories", default);
        var again = await bulk.SendToRelabelAsync(Manager, projectId, TaskSelection.Of(seeded[2]), "Once more", default);

        Assert.Equal(1, result.Changed);
        Assert.Equal([(seeded[5], "nobody has submitted work on it yet")], result.Refused.Select(r => (r.TaskId, r.Reason)));
        Assert.Equal(0, again.Changed);
        await using var db = await database.ContextAsync();
        var item = await db.RelabelItems.SingleAsync();
        Assert.Equal((seeded[2], people[0].UserId, "Product now covers accessories"), (item.TaskId, item.AssignedToUserId!.Value, item.Reason));
        Assert.NotNull(item.PreviousResultJson);
    }

    [Fact]
    public async Task ExportOfASelection_WritesOnlyThoseTasks()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var seeded = await TaskBrowserSeed.DiverseAsync(database, projectId, people);
        using var output = new MemoryStream();

        var count = await database.Get<ExportService>().ExportAsync(projectId, new ExportOptions(ExportFormat.Jsonl, TaskIds: [seeded[1], seeded[3], seeded[4]]), output, default);

        // The deleted task is never exported, even when asked for.
        Assert.Equal(2, count);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
