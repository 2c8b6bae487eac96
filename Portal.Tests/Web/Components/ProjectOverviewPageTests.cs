using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Components.Admin;
using Portal.Web.Components.Projects;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Components;

public class ProjectOverviewPageTests : ComponentTestContext
{
    [Fact]
    public async Task Manager_SeesProgressAndThroughputCharts_WithTheirNumbersOnRequest()
    {
        await SignInAsync("manager");
        var projectId = await ProjectIdAsync();

        var cut = Render(WithProviders<ProjectOverviewPage>((nameof(ProjectOverviewPage.ProjectId), projectId)));

        cut.WaitForAssertion(() => cut.Find("#progress-panel .progress-chart"));
        Assert.NotNull(cut.Find("#progress-panel .overlap-chart"));
        Assert.NotNull(cut.Find("#throughput-panel .throughput-chart"));
        Assert.Contains("Based on", cut.Find("#throughput-summary").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#progress-numbers"));

        cut.Find("#progress-panel .show-numbers input").Change(true);
        cut.Find("#throughput-panel .show-numbers input").Change(true);

        cut.WaitForAssertion(() => cut.Find("#progress-numbers"));
        Assert.Equal(ProjectOverviewService.ThroughputDays, cut.FindAll("#throughput-numbers tbody tr").Count);
        Assert.NotNull(cut.Find("#waiting-for-qa .waiting-review"));
    }

    [Fact]
    public void Progress_WithoutTasks_SaysSoInsteadOfCharts()
    {
        var overview = new ProjectOverview(Guid.NewGuid(), "Empty", null, "Manager", Portal.Core.Security.ProjectRole.Manager, 2, 0, 0, 0, 0, [], [], [], []);

        var cut = Render<ProgressPanel>(p => p.Add(x => x.Overview, overview));

        Assert.Contains("No tasks yet", cut.Find("#no-tasks").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".progress-chart"));
    }

    [Fact]
    public void Throughput_WithNoWork_SaysSoInsteadOfEmptyBars()
    {
        var days = Enumerable.Range(0, 30).Select(i => new DayCount(new DateOnly(2026, 11, 1).AddDays(i), 0)).ToList();

        var cut = Render<ThroughputPanel>(p => p.Add(x => x.Days, days));

        Assert.Contains("Nobody submitted", cut.Find("#no-throughput").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".throughput-chart"));
    }

    [Fact]
    public async Task Annotator_SeesTheirOwnWork_NotTheQaQueues()
    {
        await SignInAsync("annotator1");
        var projectId = await ProjectIdAsync();

        var cut = Render(WithProviders<ProjectOverviewPage>((nameof(ProjectOverviewPage.ProjectId), projectId)));

        cut.WaitForAssertion(() => cut.Find("#waiting-for-you .waiting-to-label"));
        Assert.Empty(cut.FindAll("#waiting-for-qa"));
    }

    [Fact]
    public async Task Stranger_ReadsProjectNotFound()
    {
        await SignInAsync("annotator1");

        var cut = Render(WithProviders<ProjectOverviewPage>((nameof(ProjectOverviewPage.ProjectId), Guid.NewGuid())));

        cut.WaitForAssertion(() => Assert.Contains("not found", cut.Find("#no-access").TextContent, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AuditLog_ForANonAdmin_SaysItNeedsTheAdminRole()
    {
        await SignInAsync("manager");

        var cut = Render(WithProviders<AuditLogPage>());

        cut.WaitForAssertion(() => Assert.Contains("needs the Admin role", cut.Find("#no-access").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#audit-log"));
    }

    [Fact]
    public async Task AuditLog_ForAnAdmin_ListsTheDemosEntries_AndFiltersByAction()
    {
        await SignInAsync("admin");

        var cut = Render(WithProviders<AuditLogPage>());

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("#audit-log .audit-entry")));
        cut.Find("#filter-action").Change("taxonomy.");
        cut.Find("#search").Click();
        cut.WaitForAssertion(() => Assert.All(cut.FindAll("#audit-log .audit-entry"), e => Assert.StartsWith("taxonomy.", e.GetAttribute("data-action"), StringComparison.Ordinal)));
    }

    private async Task<Guid> ProjectIdAsync()
    {
        await using var db = await Database.ContextAsync();
        return await db.Projects.Select(p => p.Id).SingleAsync();
    }
}
