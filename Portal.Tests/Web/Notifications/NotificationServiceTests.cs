using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Notifications;

namespace Portal.Tests.Web.Notifications;

/// <summary>The bell's notifications on a real SQLite database: who gets them, reruns, reading only one's own.</summary>
public class NotificationServiceTests
{
    [Fact]
    public async Task NotifyProjectLeads_ReachesQaLeadsAndManagers_NotAnnotatorsOrOutsiders()
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        var service = database.Get<NotificationService>();

        var added = await service.NotifyProjectLeadsAsync(f.ProjectId, "drift:finding:1", "Label distribution shifted for Annotator A", "12 items", $"/projects/{f.ProjectId}/drift#finding-1", default);

        Assert.Equal(2, added);
        await using var db = await database.ContextAsync();
        var recipients = await db.Notifications.Select(n => n.UserId).OrderBy(u => u).ToListAsync();
        Assert.Equal(new[] { f.Manager.UserId, f.Lead.UserId }.Order(), recipients);
        Assert.Equal(1, await service.UnreadCountAsync(f.Lead, default));
        Assert.Equal(0, await service.UnreadCountAsync(f.Annotator, default));
        var shown = Assert.Single(await service.ListAsync(f.Lead, 10, null, default));
        Assert.Equal(("Customer support", "12 items", true), (shown.ProjectName, shown.Body, shown.IsUnread));
    }

    [Fact]
    public async Task NotifyProjectLeads_Rerun_AddsNothing_AndANewLeadGetsOnlyTheirs()
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        var service = database.Get<NotificationService>();
        await service.NotifyProjectLeadsAsync(f.ProjectId, "k1", "First", null, null, default);

        var rerun = await service.NotifyProjectLeadsAsync(f.ProjectId, "k1", "First", null, null, default);
        await using (var db = await database.ContextAsync())
        {
            var member = await db.ProjectMembers.SingleAsync(m => m.UserId == f.Annotator.UserId);
            member.Role = Portal.Core.Security.ProjectRole.Reviewer;
            await db.SaveChangesAsync();
        }

        var promoted = await service.NotifyProjectLeadsAsync(f.ProjectId, "k1", "First", null, null, default);

        Assert.Equal(0, rerun);
        Assert.Equal(1, promoted);
        await using var check = await database.ContextAsync();
        Assert.Equal(3, await check.Notifications.CountAsync());
    }

    [Fact]
    public async Task NotifyProjectLeads_ConcurrentRunsOfTheSameKey_StoreEachPersonOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        var service = database.Get<NotificationService>();

        var added = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => service.NotifyProjectLeadsAsync(f.ProjectId, "race", "Same night", null, null, default))));

        Assert.Equal(2, added.Sum());
        await using var db = await database.ContextAsync();
        Assert.Equal(2, await db.Notifications.CountAsync());
    }

    [Theory]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("projects/1")]
    public async Task NotifyProjectLeads_RefusesLinksThatLeaveThePortal(string link)
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);

        var error = await Assert.ThrowsAsync<ValidationException>(() => database.Get<NotificationService>().NotifyProjectLeadsAsync(f.ProjectId, "k", "T", null, link, default));

        Assert.Equal("link", Assert.Single(error.Errors).Field);
        await using var db = await database.ContextAsync();
        Assert.Equal(0, await db.Notifications.CountAsync());
    }

    [Fact]
    public async Task NotifyProjectLeads_UnknownProject_IsNotFound()
    {
        await using var database = await TestDatabase.CreateAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => database.Get<NotificationService>().NotifyProjectLeadsAsync(Guid.NewGuid(), "k", "T", null, null, default));
    }

    [Fact]
    public async Task MarkRead_OwnOnly_AnothersIdIsNotFound()
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        var service = database.Get<NotificationService>();
        await service.NotifyProjectLeadsAsync(f.ProjectId, "k1", "First", null, null, default);
        var leads = Assert.Single(await service.ListAsync(f.Lead, 10, null, default));
        var managers = Assert.Single(await service.ListAsync(f.Manager, 10, null, default));

        await Assert.ThrowsAsync<NotFoundException>(() => service.MarkReadAsync(f.Lead, managers.Id, default));
        await service.MarkReadAsync(f.Lead, leads.Id, default);
        await service.MarkReadAsync(f.Lead, leads.Id, default);

        Assert.Equal(0, await service.UnreadCountAsync(f.Lead, default));
        Assert.Equal(1, await service.UnreadCountAsync(f.Manager, default));
    }

    [Fact]
    public async Task MarkAllRead_TouchesOnlyTheCallersNotifications()
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        var service = database.Get<NotificationService>();
        await service.NotifyProjectLeadsAsync(f.ProjectId, "k1", "First", null, null, default);
        await service.NotifyProjectLeadsAsync(f.ProjectId, "k2", "Second", null, null, default);

        Assert.Equal(2, await service.MarkAllReadAsync(f.Lead, default));

        Assert.Equal(0, await service.UnreadCountAsync(f.Lead, default));
        Assert.Equal(2, await service.UnreadCountAsync(f.Manager, default));
    }

    [Fact]
    public async Task List_NewestFirst_PagesByTime_AndHidesProjectsThePersonNoLongerLeads()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 3, 0, 0, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(clock: clock);
        var f = await NotificationFixture.CreateAsync(database);
        var service = database.Get<NotificationService>();
        for (var i = 1; i <= 3; i++)
        {
            await service.NotifyProjectLeadsAsync(f.ProjectId, $"k{i}", $"Night {i}", null, null, default);
            clock.Advance(TimeSpan.FromDays(1));
        }

        var newest = await service.ListAsync(f.Lead, 2, null, default);
        var older = await service.ListAsync(f.Lead, 2, newest[^1].CreatedAt, default);
        var unreadPage = await service.PageAsync(f.Lead, unreadOnly: true, page: 1, pageSize: 2, default);
        await using (var db = await database.ContextAsync())
        {
            (await db.ProjectMembers.SingleAsync(m => m.UserId == f.Lead.UserId)).Role = Portal.Core.Security.ProjectRole.Annotator;
            await db.SaveChangesAsync();
        }

        Assert.Equal(["Night 3", "Night 2"], newest.Select(n => n.Title));
        Assert.Equal(["Night 1"], older.Select(n => n.Title));
        Assert.Equal((3, "Night 1"), (unreadPage.Total, Assert.Single(unreadPage.Items).Title));
        Assert.Empty(await service.ListAsync(f.Lead, 10, null, default));
        Assert.Equal(0, await service.UnreadCountAsync(f.Lead, default));
        await Assert.ThrowsAsync<NotFoundException>(() => service.MarkReadAsync(f.Lead, newest[0].Id, default));
        await Assert.ThrowsAsync<ValidationException>(() => service.ListAsync(f.Lead, 0, null, default));
    }
}
