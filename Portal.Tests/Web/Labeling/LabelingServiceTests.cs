using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Auth;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Review;

namespace Portal.Tests.Web.Labeling;

public class LabelingServiceTests
{
    internal static LabelingService Service(TestDatabase database) => database.Get<LabelingService>();

    /// <summary>A project with <paramref name="tasks"/> texts, overlap <paramref name="overlap"/>, and <paramref name="annotators"/> members.</summary>
    internal static async Task<(Guid ProjectId, List<PortalPrincipal> Annotators)> ProjectAsync(
        TestDatabase database, int tasks, int overlap, int annotators, string? templateId = null, string? text = null)
    {
        var manager = new PortalPrincipal(Guid.CreateVersion7(), "M", new HashSet<string> { AppRoles.Manager });
        await using (var db = await database.ContextAsync())
        {
            db.Users.Add(new User { Id = manager.UserId, ExternalId = "m", Email = "m@x", DisplayName = "M", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var projects = database.Get<ProjectService>();
        var projectId = await projects.CreateAsync(manager, new NewProject($"P{Guid.NewGuid():N}", null, templateId ?? TaxonomyTemplates.CustomerMessages.Id,
            new ProjectSettings { AnnotatorsPerTask = overlap }), default);
        var people = new List<PortalPrincipal>();
        await using (var db = await database.ContextAsync())
        {
            for (var i = 0; i < annotators; i++)
            {
                var user = new User { Id = Guid.CreateVersion7(), ExternalId = $"a{i}-{Guid.NewGuid():N}", Email = $"a{i}@x", DisplayName = $"A{i}", CreatedAt = DateTime.UtcNow };
                db.Users.Add(user);
                db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = user.Id, Role = ProjectRole.Annotator, AddedAt = DateTime.UtcNow });
                people.Add(new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { AppRoles.User }));
            }

            for (var t = 0; t < tasks; t++)
            {
                db.Tasks.Add(new LabelingTask { ProjectId = projectId, Text = text ?? $"Order {t} for Maria Schneider in Hamburg.", ContentHash = $"h{t}", TargetAnnotations = overlap, CreatedAt = DateTime.UtcNow });
            }

            await db.SaveChangesAsync();
        }

        return (projectId, people);
    }

    internal static AnnotationResult Answered(WorkItem item, params (int Start, int End)[] persons)
    {
        var person = item.Controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Person").Key;
        var intent = item.Controls.Single(c => c.Name == "intent").Labels[0].Key;
        var sentiment = item.Controls.Single(c => c.Name == "sentiment").Labels[0].Key;
        return new AnnotationResult([.. persons.Select(p => new SpanValue("entities", person, p.Start, p.End))],
            [new AnswerValue("intent", intent), new AnswerValue("sentiment", sentiment)]);
    }

    [Fact]
    public async Task Next_WithNothingLeftToServe_OnlyReads()
    {
        // Next runs on every submit: a write there that changes nothing still waits for SQLite's one write lock.
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, annotators) = await ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = Service(database);
        var item = (await service.NextAsync(annotators[0], projectId, default))!;
        await service.SubmitAsync(annotators[0], projectId, item.TaskId, Answered(item), item.Version, 1000, default);

        using var sql = new SqlCapture(database);
        Assert.Null(await service.NextAsync(annotators[0], projectId, default));

        Assert.NotEmpty(sql.Statements);
        Assert.Empty(sql.Writes);
    }

    [Fact]
    public async Task Next_TwentyAnnotatorsAtOnce_NeverExceedTheOverlap_NorShareATask()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, annotators) = await ProjectAsync(database, tasks: 15, overlap: 2, annotators: 20);
        var service = Service(database);

        var items = await Task.WhenAll(annotators.Select(a => Task.Run(() => service.NextAsync(a, projectId, default))));

        Assert.All(items, Assert.NotNull);
        await using var db = await database.ContextAsync();
        Assert.All(await db.Tasks.Where(t => t.ProjectId == projectId).ToListAsync(), t =>
        {
            Assert.InRange(t.AssignedCount, 0, t.TargetAnnotations);
            Assert.Equal(t.AssignedCount < t.TargetAnnotations, t.IsAvailable);
        });
        Assert.Equal(20, await db.Reservations.CountAsync(r => r.ProjectId == projectId));
        Assert.True(items.GroupBy(i => i!.TaskId).All(g => g.Count() <= 2));
    }

    [Fact]
    public async Task Next_OverlapOne_TwoAnnotatorsNeverGetTheSameTask_AndNobodyGetsATaskTwice()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 4, overlap: 1, annotators: 2);
        var service = Service(database);
        var seen = new List<(Guid User, long Task)>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            foreach (var person in people)
            {
                if (await service.NextAsync(person, projectId, default) is { } item)
                {
                    seen.Add((person.UserId, item.TaskId));
                    await service.SubmitAsync(person, projectId, item.TaskId, Answered(item), item.Version, 1000, default);
                }
            }
        }

        Assert.Equal(4, seen.Count);
        Assert.Equal(4, seen.Select(s => s.Task).Distinct().Count());
        Assert.Null(await service.NextAsync(people[0], projectId, default));
    }

    [Fact]
    public async Task Progress_CountsOnlyTodaysSubmissions_OfThisPerson_AndTheProjectFromItsCounters()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 4, overlap: 1, annotators: 2);
        var service = Service(database);
        var submitted = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var item = (await service.NextAsync(people[0], projectId, default))!;
            await service.SubmitAsync(people[0], projectId, item.TaskId, Answered(item), item.Version, 1000, default);
            submitted.Add(item.TaskId);
        }

        var other = (await service.NextAsync(people[1], projectId, default))!;
        await service.SaveDraftAsync(people[1], projectId, other.TaskId, Answered(other), other.Version, default);
        await using (var db = await database.ContextAsync())
        {
            // One of the three was submitted (and last changed) yesterday: not today's work.
            var yesterday = DateTime.UtcNow.Date.AddHours(-2);
            await db.Annotations.Where(a => a.TaskId == submitted[0]).ExecuteUpdateAsync(u => u.SetProperty(a => a.SubmittedAt, yesterday).SetProperty(a => a.UpdatedAt, yesterday));
        }

        Assert.Equal(new LabelingProgress(2, 3, 4), await service.ProgressAsync(people[0], projectId, default));
        Assert.Equal(new LabelingProgress(0, 3, 4), await service.ProgressAsync(people[1], projectId, default));
    }

    [Fact]
    public async Task Next_AfterReload_ReturnsTheSameTaskWithTheDraft()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 3, overlap: 2, annotators: 1);
        var service = Service(database);
        var item = (await service.NextAsync(people[0], projectId, default))!;
        var draft = Answered(item, (21, 36));

        var version = await service.SaveDraftAsync(people[0], projectId, item.TaskId, draft, item.Version, default);
        var again = (await service.NextAsync(people[0], projectId, default))!;

        Assert.Equal(item.TaskId, again.TaskId);
        Assert.Equal(version, again.Version);
        Assert.Equal(draft.ToJson(), again.Draft.ToJson());
    }

    [Fact]
    public async Task Submit_Twice_GivesOneAnnotationAndOneSubmitRevision()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 2, overlap: 2, annotators: 1);
        var service = Service(database);
        var item = (await service.NextAsync(people[0], projectId, default))!;
        var result = Answered(item, (21, 36));

        await Task.WhenAll(
            service.SubmitAsync(people[0], projectId, item.TaskId, result, item.Version, 5000, default),
            service.SubmitAsync(people[0], projectId, item.TaskId, result, item.Version, 5000, default)).ContinueWith(_ => { });
        await service.SubmitAsync(people[0], projectId, item.TaskId, result, item.Version, 5000, default);

        await using var db = await database.ContextAsync();
        var annotation = await db.Annotations.Include(a => a.Revisions).SingleAsync(a => a.TaskId == item.TaskId);
        Assert.Equal(AnnotationStatus.Submitted, annotation.Status);
        Assert.Single(annotation.Revisions, r => r.Reason == RevisionReason.Submit);
        Assert.Equal(1, (await db.Tasks.SingleAsync(t => t.Id == item.TaskId)).SubmittedCount);
        Assert.Equal(0, await db.Reservations.CountAsync());
    }

    [Fact]
    public async Task SaveDraft_FromAStaleTab_IsAConflict_AndKeepsTheNewerDraft()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = Service(database);
        var tab1 = (await service.NextAsync(people[0], projectId, default))!;
        var tab2 = (await service.NextAsync(people[0], projectId, default))!;
        await service.SaveDraftAsync(people[0], projectId, tab1.TaskId, Answered(tab1, (21, 36)), tab1.Version, default);

        await Assert.ThrowsAsync<ConflictException>(() => service.SaveDraftAsync(people[0], projectId, tab2.TaskId, Answered(tab2), tab2.Version, default));

        var current = (await service.NextAsync(people[0], projectId, default))!;
        Assert.Single(current.Draft.Spans);
    }

    [Fact]
    public async Task Submit_WithoutRequiredAnswers_OrForeignLabel_IsRejectedWithMessages()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = Service(database);
        var item = (await service.NextAsync(people[0], projectId, default))!;
        var person = item.Controls.Single(c => c.Name == "entities").Labels[0].Key;

        var missing = await Assert.ThrowsAsync<ValidationException>(() => service.SubmitAsync(people[0], projectId, item.TaskId,
            new AnnotationResult([new SpanValue("entities", person, 0, 5)], []), item.Version, 1, default));
        Assert.Contains(missing.Errors, e => e.Message.Contains("What does the customer want?", StringComparison.Ordinal));

        await Assert.ThrowsAsync<ValidationException>(() => service.SaveDraftAsync(people[0], projectId, item.TaskId,
            new AnnotationResult([new SpanValue("entities", Guid.NewGuid(), 0, 5)], []), item.Version, default));
        await Assert.ThrowsAsync<ValidationException>(() => service.SaveDraftAsync(people[0], projectId, item.TaskId,
            new AnnotationResult([new SpanValue("entities", person, 0, 500)], []), item.Version, default));
    }

    [Fact]
    public async Task Skip_NeedsAReason_ReturnsTheSlot_AndNeverComesBack()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 1, overlap: 1, annotators: 2);
        var service = Service(database);
        var item = (await service.NextAsync(people[0], projectId, default))!;

        await Assert.ThrowsAsync<ValidationException>(() => service.SkipAsync(people[0], projectId, item.TaskId, "  ", item.Version, default));
        await service.SkipAsync(people[0], projectId, item.TaskId, "Not a customer message", item.Version, default);

        Assert.Null(await service.NextAsync(people[0], projectId, default));
        Assert.Equal(item.TaskId, (await service.NextAsync(people[1], projectId, default))!.TaskId);
    }

    [Fact]
    public async Task BlindLabeling_AnotherAnnotatorsTask_IsNotFound()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 2, overlap: 1, annotators: 2);
        var service = Service(database);
        var mine = (await service.NextAsync(people[0], projectId, default))!;

        await Assert.ThrowsAsync<NotFoundException>(() => service.SaveDraftAsync(people[1], projectId, mine.TaskId, AnnotationResult.Empty, 0, default));
        var outsider = new PortalPrincipal(Guid.NewGuid(), "Out", new HashSet<string> { AppRoles.User });
        await Assert.ThrowsAsync<NotFoundException>(() => service.NextAsync(outsider, projectId, default));
    }

    [Fact]
    public async Task History_IsOrderedByTheUsersOwnLastChange_NotByALabelSetMigration()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 2, overlap: 1, annotators: 1);
        var service = Service(database);
        var first = (await service.NextAsync(people[0], projectId, default))!;
        await service.SubmitAsync(people[0], projectId, first.TaskId, Answered(first), first.Version, 1000, default);
        var second = (await service.NextAsync(people[0], projectId, default))!;
        await service.SubmitAsync(people[0], projectId, second.TaskId, Answered(second), second.Version, 1000, default);

        // A published rename carries the first task over later: someone else's revision and a fresh update time.
        await using (var db = await database.ContextAsync())
        {
            var annotation = await db.Annotations.SingleAsync(a => a.TaskId == first.TaskId);
            var later = annotation.UpdatedAt.AddHours(1);
            db.AnnotationRevisions.Add(new Portal.Data.Entities.AnnotationRevision
            {
                AnnotationId = annotation.Id, Number = 99, ChangedAt = later, ChangedById = Guid.NewGuid(), Reason = RevisionReason.TaxonomyMigration,
                Status = annotation.Status, TaxonomyVersionId = annotation.TaxonomyVersionId, ResultJson = AnnotationResult.Empty.ToJson(),
            });
            annotation.UpdatedAt = later;
            await db.SaveChangesAsync();
        }

        var history = await service.HistoryAsync(people[0], projectId, 50, null, default);
        Assert.Equal([(second.TaskId, false), (first.TaskId, true)], history.Select(h => (h.TaskId, h.ChangedSince)));
        Assert.Empty(await service.HistoryAsync(people[0], projectId, 50, history[^1].LastActionAt, default));
    }

    [Fact]
    public async Task Reopen_ChangeAndResubmit_KeepsTheCounts_AndRecordsTheHistory()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 2, overlap: 2, annotators: 1);
        var service = Service(database);
        var item = (await service.NextAsync(people[0], projectId, default))!;
        await service.SubmitAsync(people[0], projectId, item.TaskId, Answered(item), item.Version, 1000, default);

        var history = await service.HistoryAsync(people[0], projectId, 50, null, default);
        Assert.True(Assert.Single(history).CanReopen);
        var reopened = await service.OpenAsync(people[0], projectId, item.TaskId, default);
        var version = await service.SaveDraftAsync(people[0], projectId, item.TaskId, Answered(reopened, (21, 36)), reopened.Version, default);
        await service.SubmitAsync(people[0], projectId, item.TaskId, Answered(reopened, (21, 36)), version, 2000, default);

        await using var db = await database.ContextAsync();
        var annotation = await db.Annotations.Include(a => a.Revisions).Include(a => a.Spans).SingleAsync(a => a.TaskId == item.TaskId);
        Assert.Equal(AnnotationStatus.Submitted, annotation.Status);
        Assert.Single(annotation.Spans);
        Assert.Equal([RevisionReason.Submit, RevisionReason.Edit, RevisionReason.Submit], annotation.Revisions.OrderBy(r => r.Number).Select(r => r.Reason));
        var task = await db.Tasks.SingleAsync(t => t.Id == item.TaskId);
        Assert.Equal((1, 1), (task.SubmittedCount, task.AssignedCount));
    }

    [Fact]
    public async Task Reopen_AfterReview_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = Service(database);
        var item = (await service.NextAsync(people[0], projectId, default))!;
        await service.SubmitAsync(people[0], projectId, item.TaskId, Answered(item), item.Version, 1000, default);
        await using (var db = await database.ContextAsync())
        {
            var annotation = await db.Annotations.SingleAsync();
            annotation.Status = AnnotationStatus.Accepted;
            db.Reviews.Add(new Portal.Data.Entities.Review { AnnotationId = annotation.Id, ReviewerId = people[0].UserId, Decision = Portal.Core.Review.ReviewDecision.Accept, AnnotationVersion = annotation.Version, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        await Assert.ThrowsAsync<ConflictException>(() => service.OpenAsync(people[0], projectId, item.TaskId, default));
        Assert.False(Assert.Single(await service.HistoryAsync(people[0], projectId, 50, null, default)).CanReopen);
    }

    [Fact]
    public async Task Next_GoldRateOfAHundredPercent_ServesGoldTasksFirst_PriorityBeforeAge()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 6, overlap: 1, annotators: 1);
        long gold, urgent;
        await using (var db = await database.ContextAsync())
        {
            await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.GoldTaskRatePercent, 100));
            var ids = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
            gold = ids[4];
            urgent = ids[5];
            await db.Tasks.Where(t => t.Id == gold).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsGold, true));
            await db.Tasks.Where(t => t.Id == urgent).ExecuteUpdateAsync(s => s.SetProperty(t => t.Priority, 5));
        }

        var service = Service(database);
        var first = (await service.NextAsync(people[0], projectId, default))!;
        await service.SubmitAsync(people[0], projectId, first.TaskId, Answered(first), first.Version, 1, default);
        var second = (await service.NextAsync(people[0], projectId, default))!;

        Assert.Equal(gold, first.TaskId);
        Assert.Equal(urgent, second.TaskId);
    }

    [Fact]
    public async Task Revisions_SayWhoChangedWhatAndWhy_AndStayBlindForOtherAnnotators()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, tasks: 1, overlap: 2, annotators: 2);
        var service = Service(database);
        var item = (await service.NextAsync(people[0], projectId, default))!;
        var maria = item.Text.IndexOf("Maria Schneider", StringComparison.Ordinal);
        var version = await service.SaveDraftAsync(people[0], projectId, item.TaskId, Answered(item, (maria, maria + 15)), item.Version, default);
        await service.SubmitAsync(people[0], projectId, item.TaskId, Answered(item), version, 1000, default);

        var revisions = await service.RevisionsAsync(people[0], projectId, item.TaskId, null, default);

        Assert.Equal([RevisionReason.Edit, RevisionReason.Submit], revisions.Select(r => r.Reason));
        Assert.Contains("Person: \"Maria Schneider\"", revisions[0].Added);
        Assert.Contains(revisions[0].Added, a => a.StartsWith("intent: ", StringComparison.Ordinal));
        Assert.Equal(["Person: \"Maria Schneider\""], revisions[1].Removed);
        Assert.Equal("A0", revisions[1].ChangedBy);

        await Assert.ThrowsAsync<NotFoundException>(() => service.RevisionsAsync(people[1], projectId, item.TaskId, people[0].UserId, default));
        var manager = new PortalPrincipal(Guid.NewGuid(), "Boss", new HashSet<string> { AppRoles.Manager });
        Assert.Equal(2, (await service.RevisionsAsync(manager, projectId, item.TaskId, people[0].UserId, default)).Count);
    }
}
