using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Labeling;
using Portal.Web.Tasks;

namespace Portal.Tests.Web.Tasks;

/// <summary>The task browser on a real SQLite database (migrated, so with its FTS5 index): filters, keyset pages, deleted tasks.</summary>
public class TaskBrowserServiceTests
{
    internal static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    [Fact]
    public async Task PagesSortedByAgreementWithTies_HaveNoDuplicatesOrGaps_InBothDirections()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 23, overlap: 1, annotators: 1);
        double?[] values = [0.2, 0.5, null, 0.5, 0.9];
        await using (var db = await database.ContextAsync())
        {
            var tasks = await db.Tasks.OrderBy(t => t.Id).ToListAsync();
            for (var i = 0; i < tasks.Count; i++)
            {
                tasks[i].Agreement = values[i % values.Length];
            }

            await db.SaveChangesAsync();
        }

        await using var check = await database.ContextAsync();
        var all = await check.Tasks.AsNoTracking().Select(t => new { t.Id, t.Agreement }).ToListAsync();
        var rated = all.Where(t => t.Agreement != null);
        var unrated = all.Where(t => t.Agreement == null);
        var ascending = rated.OrderBy(t => t.Agreement).ThenBy(t => t.Id).Concat(unrated.OrderBy(t => t.Id)).Select(t => t.Id).ToList();
        var descending = rated.OrderByDescending(t => t.Agreement).ThenByDescending(t => t.Id).Concat(unrated.OrderByDescending(t => t.Id)).Select(t => t.Id).ToList();

        Assert.Equal(ascending, await AllPagesAsync(database, projectId, TaskFilter.None, TaskSort.Agreement, false, pageSize: 4));
        Assert.Equal(descending, await AllPagesAsync(database, projectId, TaskFilter.None, TaskSort.Agreement, true, pageSize: 3));
        Assert.Equal(all.Select(t => t.Id).Order(), await AllPagesAsync(database, projectId, TaskFilter.None, TaskSort.Id, false, pageSize: 5));
    }

    [Fact]
    public async Task PagesByPriorityCreatedAndState_VisitEveryTaskOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 17, overlap: 1, annotators: 1);
        await using (var db = await database.ContextAsync())
        {
            var tasks = await db.Tasks.OrderBy(t => t.Id).ToListAsync();
            for (var i = 0; i < tasks.Count; i++)
            {
                (tasks[i].Priority, tasks[i].State, tasks[i].CreatedAt) = (i % 3, (TaskState)(i % 4), new DateTime(2026, 1, 1 + (i % 2), 0, 0, 0, DateTimeKind.Utc));
            }

            await db.SaveChangesAsync();
        }

        foreach (var sort in new[] { TaskSort.Priority, TaskSort.Created, TaskSort.State })
        {
            foreach (var descending in new[] { false, true })
            {
                var ids = await AllPagesAsync(database, projectId, TaskFilter.None, sort, descending, pageSize: 4);
                Assert.Equal(17, ids.Distinct().Count());
                Assert.Equal(17, ids.Count);
            }
        }
    }

    [Fact]
    public async Task TextSearch_FindsTheOnlyTaskWithAWord_AndItsExternalId()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 5, overlap: 1, annotators: 1);
        long id;
        await using (var db = await database.ContextAsync())
        {
            var task = await db.Tasks.OrderBy(t => t.Id).Skip(2).FirstAsync();
            task.Text = "The parcel arrived crushed; the zephyr blender inside was broken.";
            task.ExternalId = "ticket-4711";
            await db.SaveChangesAsync();
            id = task.Id;
        }

        var browser = database.Get<TaskBrowserService>();
        Assert.Equal([id], await IdsAsync(browser, projectId, new TaskFilter(Text: "Zephyr")));
        Assert.Equal([id], await IdsAsync(browser, projectId, new TaskFilter(Text: "4711")));
        Assert.Equal(4, (await IdsAsync(browser, projectId, new TaskFilter(Text: "Hamburg"))).Count);
        Assert.Empty(await IdsAsync(browser, projectId, new TaskFilter(Text: "zephyr Hamburg")));
        var invalid = await Assert.ThrowsAsync<ValidationException>(() => browser.BrowseAsync(Manager, projectId, new TaskPageRequest(new TaskFilter(Text: " ;; ")), default));
        Assert.Equal("text", invalid.Errors[0].Field);
    }

    [Fact]
    public async Task TextSearch_PagesEveryMatchOnce_BothWays_WithOtherFilters_AndInOtherOrders()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 12, overlap: 1, annotators: 1);
        List<long> matches, gold, email;
        await using (var db = await database.ContextAsync())
        {
            var tasks = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).ToListAsync();
            foreach (var (task, i) in tasks.Select((t, i) => (t, i)))
            {
                task.Text = i % 3 == 0 ? $"Nothing about the city, message {i}." : $"Parcel {i} sent to Hamburg.";
                (task.IsGold, task.Agreement) = (i % 2 == 0, i % 4 / 4.0);
                task.MetadataJson = i % 4 == 1 ? "{\"channel\":\"email\"}" : i == 2 ? "not json" : null;
            }

            (tasks[4].DeletedAt, tasks[4].IsAvailable) = (DateTime.UtcNow, false);
            await db.SaveChangesAsync();
            var found = tasks.Where((t, i) => i % 3 != 0 && i != 4).ToList();
            matches = [.. found.Select(t => t.Id)];
            gold = [.. found.Where(t => t.IsGold).Select(t => t.Id)];
            email = [.. found.Where(t => t.MetadataJson?.Contains("email", StringComparison.Ordinal) == true).Select(t => t.Id)];
        }

        Assert.Equal(7, matches.Count);
        Assert.Equal(matches, await AllPagesAsync(database, projectId, new TaskFilter(Text: "HAMBURG"), TaskSort.Id, false, 2));
        Assert.Equal(matches.AsEnumerable().Reverse(), await AllPagesAsync(database, projectId, new TaskFilter(Text: "hamburg parcel"), TaskSort.Id, true, 3));
        Assert.Equal(gold, await AllPagesAsync(database, projectId, new TaskFilter(Text: "hamburg", Gold: true), TaskSort.Id, false, 2));
        Assert.Equal(email, await AllPagesAsync(database, projectId, new TaskFilter(Text: "hamburg", MetadataField: "channel", MetadataValue: "email"), TaskSort.Id, false, 1));
        var byAgreement = await AllPagesAsync(database, projectId, new TaskFilter(Text: "hamburg"), TaskSort.Agreement, false, 2);
        Assert.Equal(matches.Order(), byAgreement.Order());
        Assert.Equal(matches.Count, byAgreement.Distinct().Count());
        var page = await database.Get<TaskBrowserService>().BrowseAsync(Manager, projectId, new TaskPageRequest(new TaskFilter(Text: "hamburg"), PageSize: 2), default);
        Assert.Equal((7, false), (page.Matching, page.MatchingCapped));
    }

    [Fact]
    public async Task EachFilter_KeepsOnlyTheTasksItDescribes()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var seeded = await TaskBrowserSeed.DiverseAsync(database, projectId, people);
        var browser = database.Get<TaskBrowserService>();

        Assert.Equal([seeded[0]], await IdsAsync(browser, projectId, new TaskFilter(State: TaskState.Done)));
        Assert.Equal([seeded[1]], await IdsAsync(browser, projectId, new TaskFilter(Gold: true)));
        Assert.Equal([seeded[0], seeded[1]], await IdsAsync(browser, projectId, new TaskFilter(HasGroundTruth: true)));
        Assert.Equal([seeded[2]], await IdsAsync(browser, projectId, new TaskFilter(AgreementMin: 0.1, AgreementMax: 0.4)));
        Assert.Equal([seeded[0], seeded[2]], await IdsAsync(browser, projectId, new TaskFilter(AnnotatorId: people[0].UserId)));
        Assert.Equal([seeded[2]], await IdsAsync(browser, projectId, new TaskFilter(LabelKey: seeded.LabelKey)));
        Assert.Equal([seeded[2]], await IdsAsync(browser, projectId, new TaskFilter(AgreementMax: 0.6, LabelKey: seeded.LabelKey)));
        Assert.Equal([seeded[0]], await IdsAsync(browser, projectId, new TaskFilter(InReview: true)));
        Assert.Equal([seeded[3]], await IdsAsync(browser, projectId, new TaskFilter(MetadataField: "channel", MetadataValue: "email")));
        Assert.Equal([seeded[3]], await IdsAsync(browser, projectId, new TaskFilter(ImportJobId: seeded.ImportJobId)));
        Assert.Equal([seeded[4]], await IdsAsync(browser, projectId, new TaskFilter(Deleted: true)));
        Assert.DoesNotContain(seeded[4], await IdsAsync(browser, projectId, TaskFilter.None));
        var bad = await Assert.ThrowsAsync<ValidationException>(() => IdsAsync(browser, projectId, new TaskFilter(AgreementMin: 0.8, AgreementMax: 0.2)));
        Assert.Equal("agreementMin", bad.Errors[0].Field);
        Assert.Equal("metaField", (await Assert.ThrowsAsync<ValidationException>(() => IdsAsync(browser, projectId, new TaskFilter(MetadataField: "a'); drop")))).Errors[0].Field);
    }

    [Fact]
    public async Task Browse_ShowsNamesToManagers_LettersToQaLeadsOfAnAnonymousProject_AndNothingToAnnotators()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 1, annotators: 2);
        var seeded = await TaskBrowserSeed.DiverseAsync(database, projectId, people);
        var reviewer = await TaskBrowserSeed.MemberAsync(database, projectId, ProjectRole.Reviewer);
        await using (var db = await database.ContextAsync())
        {
            await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.AnonymousAdjudication, true));
        }

        var browser = database.Get<TaskBrowserService>();
        var request = new TaskPageRequest(new TaskFilter(State: TaskState.Done));

        Assert.Equal(["A0"], (await browser.BrowseAsync(Manager, projectId, request, default)).Rows.Single().Annotators);
        Assert.Equal(["Annotator A"], (await browser.BrowseAsync(reviewer, projectId, request, default)).Rows.Single().Annotators);
        await Assert.ThrowsAsync<ValidationException>(() => browser.BrowseAsync(reviewer, projectId, new TaskPageRequest(new TaskFilter(AnnotatorId: people[0].UserId)), default));
        await Assert.ThrowsAsync<ForbiddenException>(() => browser.BrowseAsync(people[0], projectId, request, default));
        Assert.NotEqual(0, seeded[0]);
    }

    [Fact]
    public async Task Count_StopsAtTheCap_AndSaysSo()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 3, overlap: 1, annotators: 1);

        var page = await database.Get<TaskBrowserService>().BrowseAsync(Manager, projectId, new TaskPageRequest(TaskFilter.None, PageSize: 2), default);

        Assert.Equal(3, page.Matching);
        Assert.False(page.MatchingCapped);
        Assert.NotNull(page.Next);
        Assert.Equal(2, page.Rows.Count);
        await Assert.ThrowsAsync<ValidationException>(() => database.Get<TaskBrowserService>().BrowseAsync(Manager, projectId, new TaskPageRequest(TaskFilter.None, After: "1~x~3"), default));
    }

    [Fact]
    public async Task DeletedTask_IsNeverServedNorCounted_UntilRestored()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        await using var db = await database.ContextAsync();
        var taskId = await db.Tasks.Select(t => t.Id).SingleAsync();
        var labeling = database.Get<LabelingService>();
        Assert.NotNull(await labeling.NextAsync(people[0], projectId, default));
        var bulk = database.Get<TaskBulkService>();

        var deleted = await bulk.DeleteAsync(Manager, projectId, TaskSelection.Of(taskId), default);

        Assert.Equal(1, deleted.Changed);
        Assert.Empty(await db.Reservations.Where(r => r.TaskId == taskId).ToListAsync());
        Assert.Null(await labeling.NextAsync(people[0], projectId, default));
        Assert.False((await db.ProgressAsync([projectId], default)).ContainsKey(projectId));
        Assert.Contains(await db.AuditLog.Where(e => e.ProjectId == projectId).Select(e => e.Action).ToListAsync(), a => a == "task.delete");

        var restored = await bulk.RestoreAsync(Manager, projectId, TaskSelection.Of(taskId), default);

        Assert.Equal(1, restored.Changed);
        Assert.Equal(1, (await db.ProgressAsync([projectId], default))[projectId].Total);
        Assert.Equal(taskId, (await labeling.NextAsync(people[0], projectId, default))!.TaskId);
        Assert.Contains(await db.AuditLog.Where(e => e.ProjectId == projectId).Select(e => e.Action).ToListAsync(), a => a == "task.restore");
    }

    internal static async Task<List<long>> IdsAsync(TaskBrowserService browser, Guid projectId, TaskFilter filter) =>
        [.. (await browser.BrowseAsync(Manager, projectId, new TaskPageRequest(filter), default)).Rows.Select(r => r.Id)];

    private static async Task<List<long>> AllPagesAsync(TestDatabase database, Guid projectId, TaskFilter filter, TaskSort sort, bool descending, int pageSize)
    {
        var browser = database.Get<TaskBrowserService>();
        var ids = new List<long>();
        string? after = null;
        do
        {
            var page = await browser.BrowseAsync(Manager, projectId, new TaskPageRequest(filter, sort, descending, after, pageSize), default);
            Assert.True(page.Rows.Count <= pageSize);
            ids.AddRange(page.Rows.Select(r => r.Id));
            after = page.Next;
        }
        while (after is not null);

        return ids;
    }
}
