using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Labeling;
using Portal.Tests.TestSupport;
using Portal.Web.Review;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.Review;

/// <summary>The project's latest answers Dawid-Skene learns from: topped up with new work, read whole again after a while.</summary>
public class RecentAnswersTests
{
    [Fact]
    public async Task NewWork_IsAddedOnTheNextRead_AndWorkThatLeftTheQueueGoesAtTheReload()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var (projectId, annotators) = await ProjectAsync(database, tasks: 3, overlap: 1, annotators: 1);
        var labeling = Service(database);
        var recent = new RecentAnswers(clock);

        async Task<long> SubmitAsync()
        {
            var item = (await labeling.NextAsync(annotators[0], projectId, default))!;
            await labeling.SubmitAsync(annotators[0], projectId, item.TaskId, Answered(item), item.Version, 1000, default);
            return item.TaskId;
        }

        async Task<List<long>> TasksAsync()
        {
            await using var db = await database.ContextAsync();
            var (work, answers) = await recent.GetAsync(db, projectId, default);
            Assert.Equal(work.Count * 2, answers.Count); // intent and sentiment for each
            return [.. work.Select(w => w.TaskId)];
        }

        var first = await SubmitAsync();
        Assert.Equal([first], await TasksAsync());

        // Submitted in the same tick as the newest already read: still found.
        var second = await SubmitAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        var third = await SubmitAsync();
        Assert.Equal([third, second, first], await TasksAsync());

        // A reviewer sends the first back: it stays until the window is read whole again.
        await using (var db = await database.ContextAsync())
        {
            await db.Annotations.Where(a => a.TaskId == first).ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AnnotationStatus.Rejected));
        }

        Assert.Equal([third, second, first], await TasksAsync());
        clock.Advance(RecentAnswers.Reload);
        Assert.Equal([third, second], await TasksAsync());
    }
}
