using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Components.Layout;

namespace Portal.Tests.Web.Components;

public class NavMenuTests : ComponentTestContext
{
    internal static readonly string[] ManagerEntries =
        ["overview", "label", "review", "adjudicate", "audit", "tasks", "guidelines", "quality", "drift", "audit-results", "gold", "scorecards", "reports",
         "my-history", "my-quality", "taxonomy", "members", "settings", "review-settings", "quality-settings", "data"];

    [Fact]
    public async Task Admin_SeesTheJobDashboardAndTheAuditLog()
    {
        await SignInAsync("admin");
        var cut = Render<NavMenu>();
        Assert.Contains("Background jobs", cut.Markup, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("a[href='/jobs']"));
        Assert.NotNull(cut.Find(".nav-audit-log a[href='/admin/audit-log']"));
    }

    [Fact]
    public async Task Annotator_DoesNotSeeAdministration_NorAProjectMenuOnHome()
    {
        await SignInAsync("annotator2");
        var cut = Render<NavMenu>();
        Assert.Contains("Home", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Background jobs", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Audit log", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#nav-project"));
    }

    [Fact]
    public async Task Manager_OnAProjectPage_SeesEveryEntry_AndTheCurrentOneHighlighted()
    {
        await SignInAsync("manager");
        var projectId = await OpenProjectAsync("taxonomy");

        var cut = Render<NavMenu>();

        cut.WaitForAssertion(() => Assert.Equal(Portal.Web.Demo.DemoSeeder.ProjectName, cut.Find(".nav-project-name").TextContent.Trim()));
        Assert.Equal(ManagerEntries, Keys(cut));
        Assert.Equal($"/projects/{projectId}/taxonomy", cut.Find(".nav-taxonomy a").GetAttribute("href"));
        Assert.Contains("active", cut.Find(".nav-taxonomy a").ClassList);
        Assert.DoesNotContain("active", cut.Find(".nav-overview a").ClassList);
        Assert.Equal($"/projects/{projectId}/reports", cut.Find(".nav-reports a").GetAttribute("href"));
    }

    [Fact]
    public async Task Annotator_SeesLabelGuidelinesAndTheirOwnPages_NotTasksSettingsOrQueues()
    {
        await SignInAsync("annotator1");
        await OpenProjectAsync("label");

        var cut = Render<NavMenu>();

        cut.WaitForAssertion(() => Assert.Equal(["overview", "label", "guidelines", "my-history", "my-quality"], Keys(cut)));
        Assert.Equal("Annotator", cut.Find(".nav-access").TextContent.Trim());
        Assert.Empty(cut.FindAll(".nav-count"));
    }

    [Fact]
    public async Task Reviewer_SeesTheQueueCounts_TheHomeCardsShow()
    {
        await SignInAsync("reviewer");
        await OpenProjectAsync("review");
        await using var db = await Database.ContextAsync();
        var reviewer = await db.Users.SingleAsync(u => u.ExternalId.EndsWith(":reviewer"));
        var card = Assert.Single(await Database.Get<Portal.Web.Projects.ProjectService>()
            .ListAsync(new(reviewer.Id, reviewer.DisplayName, new HashSet<string> { Portal.Core.Security.AppRoles.User }), default));
        Assert.True(card.Queues.OnHold > 0 && card.Queues.ToAdjudicate > 0, "The demo has people on hold and tasks to adjudicate.");

        var cut = Render<NavMenu>();

        cut.WaitForAssertion(() => Assert.Equal(card.Queues.OnHold.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find(".nav-gold .nav-count").TextContent.Trim()));
        Assert.Equal(card.Queues.ToAdjudicate.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find(".nav-adjudicate .nav-count").TextContent.Trim());
        Assert.DoesNotContain("settings", Keys(cut));
        Assert.Contains("tasks", Keys(cut));
    }

    [Theory]
    [InlineData("", "/", false, true)]
    [InlineData("projects/1", "/", false, false)]
    [InlineData("projects/1/label?task=5", "/projects/1/label", false, true)]
    [InlineData("Projects/1/Label/#top", "/projects/1/label", false, true)]
    [InlineData("projects/1/tasks/42", "/projects/1/tasks", true, true)]
    [InlineData("projects/1/tasks/42", "/projects/1/tasks", false, false)]
    [InlineData("projects/1/tasks-export", "/projects/1/tasks", true, false)]
    public void IsActive_MatchesTheWholePath_OrAPrefixUpToASlash(string current, string href, bool prefix, bool active) =>
        Assert.Equal(active, NavMenu.IsActive(current, href, prefix));

    private async Task<Guid> OpenProjectAsync(string page)
    {
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/projects/{projectId}/{page}");
        return projectId;
    }

    private static List<string> Keys(IRenderedComponent<NavMenu> cut) =>
        [.. cut.FindAll("#nav-menu .mud-nav-item").Select(e => e.ClassList.First(c => c.StartsWith("nav-", StringComparison.Ordinal))[4..])
            .Where(k => k is not ("home" or "audit-log" or "jobs"))];
}
