using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Projects;

/// <summary>The Overview and the project menu on the seeded demo: the same numbers as the Home cards, for the roles that act on them.</summary>
public sealed class ProjectOverviewServiceTests : IAsyncLifetime
{
    private TestDatabase database = default!;
    private Guid projectId;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();
        projectId = await db.Projects.Select(p => p.Id).SingleAsync();
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Progress_MatchesTheHomeCard_AndItsPartsAddUp()
    {
        var manager = await UserAsync("manager", AppRoles.Manager);

        var overview = await database.Get<ProjectOverviewService>().GetAsync(manager, projectId, default);
        var card = Assert.Single(await database.Get<ProjectService>().ListAsync(manager, default));

        Assert.Equal(card.TotalTasks, overview.Total);
        Assert.Equal(card.CompletedTasks, overview.Done);
        Assert.Equal(overview.Total, overview.Done + overview.InProgress + overview.ToDo);
        Assert.Equal(overview.Total, overview.ByOverlap.Sum(b => b.Tasks));
        await using var db = await database.ContextAsync();
        var answered = db.Tasks.Published(db).Where(t => t.SubmittedCount > 0);
        Assert.Equal(await answered.CountAsync() - await answered.CountAsync(TaskQueries.IsComplete), overview.InProgress);
        Assert.True(overview.InProgress > 0 && overview.ToDo > 0 && overview.Done > 0, "The demo has tasks in every state.");
        Assert.Equal(await db.Tasks.Published(db).CountAsync(t => t.SubmittedCount == 0), overview.ByOverlap.Single(b => b.Annotations == 0).Tasks);
    }

    [Fact]
    public async Task Throughput_CoversThirtyDays_AndCountsSubmittedAnswersWithoutSkips()
    {
        var manager = await UserAsync("manager", AppRoles.Manager);

        var overview = await database.Get<ProjectOverviewService>().GetAsync(manager, projectId, default);

        Assert.Equal(ProjectOverviewService.ThroughputDays, overview.Throughput.Count);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), overview.Throughput[^1].Day);
        var from = overview.Throughput[0].Day.ToDateTime(TimeOnly.MinValue);
        await using var db = await database.ContextAsync();
        var expected = await db.Annotations.CountAsync(a => a.SubmittedAt >= from && a.Status != AnnotationStatus.Skipped);
        Assert.True(expected > 0, "The demo has recent work.");
        Assert.Equal(expected, overview.SubmittedInWindow);
    }

    [Fact]
    public async Task QaLead_SeesTheQueuesOfTheHomeCard_AnAnnotatorOnlyTheirOwnWork()
    {
        var reviewer = await UserAsync("reviewer", AppRoles.User);
        var annotator = await UserAsync("annotator1", AppRoles.User);
        var service = database.Get<ProjectOverviewService>();

        var lead = await service.GetAsync(reviewer, projectId, default);
        var own = await service.GetAsync(annotator, projectId, default);

        var card = Assert.Single(await database.Get<ProjectService>().ListAsync(reviewer, default));
        var waiting = lead.ForQaLeads.ToDictionary(w => w.Key, w => w.Count);
        Assert.Equal(card.Queues.ToReview, waiting["review"]);
        Assert.Equal(card.Queues.ToAdjudicate, waiting["adjudicate"]);
        Assert.Equal(card.Queues.ToAudit, waiting["audit"]);
        Assert.Equal(card.Queues.OnHold, waiting["on-hold"]);
        Assert.Equal(card.Queues.OpenFindings, waiting["findings"]);
        Assert.Empty(own.ForQaLeads);
        Assert.Equal(["to-label", "my-relabels"], own.ForYou.Select(w => w.Key));
        await using var db = await database.ContextAsync();
        Assert.Equal(await db.RelabelItems.CountAsync(r => r.AssignedToUserId == annotator.UserId && r.ResolvedAt == null), own.ForYou[1].Count);
        Assert.All(own.ForYou, w => Assert.Equal($"/projects/{projectId}/label", w.Href));
    }

    [Fact]
    public async Task NonMember_GetsNotFound_AndNoMenu_AdminWhoIsNoMember_IsNotCalledManager()
    {
        var stranger = new PortalPrincipal(Guid.NewGuid(), "Stranger", new HashSet<string> { AppRoles.User });
        var admin = await UserAsync("admin", AppRoles.Admin);

        await Assert.ThrowsAsync<NotFoundException>(() => database.Get<ProjectOverviewService>().GetAsync(stranger, projectId, default));
        Assert.Null(await database.Get<ProjectNavService>().GetAsync(stranger, projectId, default));
        var overview = await database.Get<ProjectOverviewService>().GetAsync(admin, projectId, default);
        var nav = await database.Get<ProjectNavService>().GetAsync(admin, projectId, default);

        Assert.Equal("Admin · not a member", overview.Access);
        Assert.Empty(overview.ForYou);
        Assert.Equal("Admin · not a member", nav!.Access);
        Assert.DoesNotContain(nav.Entries, e => e.Key is "my-history" or "my-quality");
        Assert.Contains(nav.Entries, e => e.Key == "settings");
    }

    [Fact]
    public async Task Menu_CountsAreTheHomeCardCounts()
    {
        var manager = await UserAsync("manager", AppRoles.Manager);

        var nav = await database.Get<ProjectNavService>().GetAsync(manager, projectId, default);
        var card = Assert.Single(await database.Get<ProjectService>().ListAsync(manager, default));

        var counts = nav!.Entries.Where(e => e.Count is not null).ToDictionary(e => e.Key, e => e.Count!.Value);
        Assert.Equal(new Dictionary<string, int>
        {
            ["review"] = card.Queues.ToReview, ["adjudicate"] = card.Queues.ToAdjudicate, ["audit"] = card.Queues.ToAudit,
            ["drift"] = card.Queues.OpenFindings, ["gold"] = card.Queues.OnHold,
        }, counts);
    }

    [Theory]
    [InlineData(ProjectRole.Annotator, "overview,label,guidelines,my-history,my-quality")]
    [InlineData(ProjectRole.Reviewer, "overview,label,review,adjudicate,audit,tasks,quality,drift,audit-results,gold,scorecards,reports,guidelines,my-history,my-quality")]
    [InlineData(ProjectRole.Manager, "overview,label,review,adjudicate,audit,tasks,quality,drift,audit-results,gold,scorecards,reports,guidelines,my-history,my-quality,taxonomy,members,settings,review-settings,quality-settings,data")]
    public void Entries_OnlyWhatTheRoleMayUse(ProjectRole role, string expected)
    {
        var entries = ProjectNavService.Entries(Guid.Empty, role, isMember: true, ProjectQueues.None);

        Assert.Equal(expected.Split(','), entries.Select(e => e.Key));
    }

    private async Task<PortalPrincipal> UserAsync(string key, string role)
    {
        await using var db = await database.ContextAsync();
        var user = await db.Users.SingleAsync(u => u.ExternalId == "demo:" + key);
        return new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { role });
    }
}
