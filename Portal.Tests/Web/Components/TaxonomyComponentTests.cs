using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Taxonomy;
using Portal.Web.Components.Taxonomy;

namespace Portal.Tests.Web.Components;

public class TaxonomyComponentTests : ComponentTestContext
{
    private static TaxonomyModel Large(int count)
    {
        var labels = new List<TaxonomyLabel>();
        for (var top = 0; top < count / 10; top++)
        {
            var parent = Guid.NewGuid();
            labels.Add(new TaxonomyLabel(parent, null, $"Group {top:000}", "#123456"));
            labels.AddRange(Enumerable.Range(0, 9).Select(i => new TaxonomyLabel(Guid.NewGuid(), parent, $"Item {top:000}-{i}", "#654321")));
        }

        return new TaxonomyModel([new TaxonomyQuestion("entities", ControlKind.Spans, "Mark", false, labels)]);
    }

    [Fact]
    public void LabelTree_ALargeTree_OpensCollapsed_AndASearchListsMatchingPaths()
    {
        var model = Large(1200);
        var cut = Render<LabelTree>(p => p.Add(c => c.Model, model).Add(c => c.Question, model.Controls[0]));

        // 120 groups at the top; their 1,080 children are not rendered until a group is opened.
        Assert.Equal(120, cut.FindAll(".tree-label").Count);

        cut.Find("#label-search").Input("Item 042-");
        // The search is debounced and a 1,200-label tree renders slowly when CI runs tests side by side: wait generously.
        cut.WaitForAssertion(() => Assert.Equal(9, cut.FindAll("#label-search-results .mud-list-item").Count), TimeSpan.FromSeconds(20));
        Assert.Contains("Group 042 / Item 042-3", cut.Find("#label-search-results").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaxonomyPage_ManagerRenamesALabel_AndTheDraftIsSaved()
    {
        await SignInAsync("manager");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var cut = Render(WithProviders<TaxonomyPage>((nameof(TaxonomyPage.ProjectId), projectId)));
        cut.WaitForAssertion(() => cut.Find(".tree-label[data-label='Person']"));

        cut.Find(".tree-label[data-label='Person']").Click();
        cut.WaitForAssertion(() => cut.Find("input#label-name"));
        cut.Find("input#label-name").Input("Individual");
        cut.Find("#save-label").Click();

        cut.WaitForAssertion(() => Assert.Contains("1 unpublished change", cut.Find("#draft-changes").TextContent, StringComparison.Ordinal));
        await using var check = await Database.ContextAsync();
        Assert.Contains("Individual", (await check.Taxonomies.SingleAsync()).DraftJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaxonomyPage_ManagerAddsATopLevelLabel_AndItOpensInTheEditor()
    {
        await SignInAsync("manager");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var cut = Render(WithProviders<TaxonomyPage>((nameof(TaxonomyPage.ProjectId), projectId)));
        cut.WaitForAssertion(() => cut.Find("#add-top"));

        cut.Find("#add-top").Click();
        cut.WaitForAssertion(() => cut.Find("input#new-label-names"));
        cut.Find("input#new-label-names").Input("Vehicle");
        cut.Find("#confirm-new-labels").Click();

        cut.WaitForAssertion(() => Assert.Equal("Vehicle", cut.Find("input#label-name").GetAttribute("value")));
        Assert.Contains("1 unpublished change", cut.Find("#draft-changes").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find(".tree-label[data-label='Vehicle']"));
    }

    [Fact]
    public async Task TaxonomyPage_Annotator_SeesNoEditor()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();

        var cut = Render<TaxonomyPage>(p => p.Add(c => c.ProjectId, projectId));

        cut.WaitForAssertion(() => Assert.Contains("Only the project's managers edit its label set.", cut.Find("#no-access").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#label-tree"));
    }
}
