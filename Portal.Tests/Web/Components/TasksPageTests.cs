using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Components.Tasks;

namespace Portal.Tests.Web.Components;

public class TasksPageTests : ComponentTestContext
{
    [Fact]
    public async Task Manager_OpensALinkWithFilters_SeesThemAsChips_OnlyMatchingTasks_AndClearsThem()
    {
        await SignInAsync("manager");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var version = await db.Taxonomies.Select(t => t.CurrentVersionId).SingleAsync();
        var product = await db.Labels.Where(l => l.TaxonomyVersionId == version && l.Name == "Product").Select(l => l.Key).SingleAsync();
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/projects/{projectId}/tasks?agreementMax=0.6&label={product}");

        var cut = Render(WithProviders<TasksPage>(("ProjectId", projectId)));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#active-filters .filter-chip").Count), TimeSpan.FromSeconds(10));
        Assert.Contains("Agreement at most 0.60", cut.Find("#active-filters").TextContent, StringComparison.Ordinal);
        Assert.Contains("Label: ", cut.Find("#active-filters").TextContent, StringComparison.Ordinal);
        var agreements = cut.FindAll("#task-table .task-agreement").Select(c => double.Parse(c.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(agreements);
        Assert.All(agreements, a => Assert.True(a <= 0.6, $"{a} is above the filter"));
        Assert.NotEmpty(cut.FindAll("#bulk-actions"));

        cut.Find("#clear-filters").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#active-filters")));
        Assert.EndsWith($"/projects/{projectId}/tasks", navigation.Uri, StringComparison.Ordinal);
        Assert.NotEmpty(cut.FindAll("#task-table tbody tr"));
    }

    [Fact]
    public async Task QaLead_BrowsesWithoutBulkActions()
    {
        await SignInAsync("reviewer");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();

        var cut = Render(WithProviders<TasksPage>(("ProjectId", projectId)));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("#task-table tbody tr")), TimeSpan.FromSeconds(10));
        Assert.Empty(cut.FindAll("#bulk-actions"));
        Assert.Contains("matching", cut.Find("#task-range").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Annotator_IsToldTheRoleItNeeds()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();

        var denied = Render(WithProviders<TasksPage>(("ProjectId", projectId)));

        denied.WaitForAssertion(() => Assert.Contains("Reviewer role", denied.Find("#no-access").TextContent, StringComparison.Ordinal));
        Assert.Empty(denied.FindAll("#task-table"));
    }
}
