using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Audits;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Audits;

/// <summary>Gold tasks on a real SQLite database: marked from ground truth, every submission scored at once.</summary>
public class GoldServiceTests
{
    private static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    [Fact]
    public async Task MarkedTask_ScoresEachSubmissionAgainstItsGroundTruth()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 2, annotators: 2);
        var labeling = database.Get<LabelingService>();
        var first = (await labeling.NextAsync(people[0], projectId, default))!;
        var gold = LabelingServiceTests.Answered(first, (24, 38));
        await using (var db = await database.ContextAsync())
        {
            db.GroundTruths.Add(new GroundTruth { TaskId = first.TaskId, ProjectId = projectId, TaxonomyVersionId = first.TaxonomyVersionId, ResultJson = gold.ToJson() });
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await database.Get<GoldService>().MarkAsync(Manager, projectId, [first.TaskId], default));
        await labeling.SubmitAsync(people[0], projectId, first.TaskId, gold, first.Version, 1000, default);
        var second = (await labeling.NextAsync(people[1], projectId, default))!;
        // One boundary off by a character: exact span F1 0, overlap 1; the two answers are right.
        await labeling.SubmitAsync(people[1], projectId, second.TaskId, LabelingServiceTests.Answered(second, (24, 37)), second.Version, 1000, default);

        await using var check = await database.ContextAsync();
        Assert.True(await check.Tasks.Where(t => t.Id == first.TaskId).Select(t => t.IsGold).SingleAsync());
        var scores = await check.GoldScores.OrderBy(s => s.Id).ToListAsync();
        Assert.Equal([people[0].UserId, people[1].UserId], scores.Select(s => s.UserId));
        Assert.Equal(1, scores[0].Score);
        Assert.Equal(0, scores[1].SpanF1Exact);
        Assert.Equal(1, scores[1].SpanF1Overlap);
        Assert.Equal(1, scores[1].ChoiceAccuracy);
        Assert.Equal(2.0 / 3, scores[1].Score, 1e-12);
    }

    [Fact]
    public async Task Mark_RefusesTasksWithoutGroundTruth_AndAnnotators()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        await using var db = await database.ContextAsync();
        var taskId = await db.Tasks.Select(t => t.Id).SingleAsync();
        var gold = database.Get<GoldService>();

        var refused = await Assert.ThrowsAsync<ValidationException>(() => gold.MarkAsync(Manager, projectId, [taskId], default));
        Assert.Contains(taskId.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => gold.MarkAsync(people[0], projectId, [taskId], default));
        await Assert.ThrowsAsync<NotFoundException>(() => gold.MarkAsync(Manager, projectId, [taskId + 1000], default));
        Assert.False(await db.Tasks.Select(t => t.IsGold).SingleAsync());
    }

    [Fact]
    public async Task SubmitOnAnOrdinaryTask_IsNotScored()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var labeling = database.Get<LabelingService>();
        var item = (await labeling.NextAsync(people[0], projectId, default))!;

        await labeling.SubmitAsync(people[0], projectId, item.TaskId, LabelingServiceTests.Answered(item, (24, 38)), item.Version, 1000, default);

        await using var db = await database.ContextAsync();
        Assert.Empty(await db.GoldScores.ToListAsync());
    }
}
