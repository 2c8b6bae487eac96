using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Web.Common;
using Portal.Web.Components.Labeling;
using Portal.Web.Components.Taxonomy;
using Portal.Web.Auth;
using Portal.Web.Taxonomy;

namespace Portal.Tests.Web.Components;

public class DefinitionHistoryTests : ComponentTestContext
{
    private async Task<(PortalPrincipal Manager, Guid ProjectId, Guid Person)> EditedAsync(string description)
    {
        await using var db = await Database.ContextAsync();
        var manager = await db.Users.Where(u => u.ExternalId == UserDirectory.DemoPrefix + "manager").Select(u => new { u.Id, u.DisplayName }).SingleAsync();
        var principal = new PortalPrincipal(manager.Id, manager.DisplayName, new HashSet<string> { AppRoles.Manager });
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var taxonomy = Services.GetService<TaxonomyService>() ?? throw new InvalidOperationException("No taxonomy service.");
        var state = await taxonomy.LoadAsync(principal, projectId, default);
        var person = state.Draft.Model.AllLabels.Single(l => l.Label.Name == "Person").Label;
        var saved = await taxonomy.SaveDraftAsync(principal, projectId, state.Draft.Describe(person.Key, person.Color, person.Hotkey, description, person.Examples, person.CounterExamples),
            state.ConcurrencyVersion, default);
        await taxonomy.PublishAsync(principal, projectId, saved, null, default);
        return (principal, projectId, person.Key);
    }

    [Fact]
    public async Task DefinitionHistory_ShowsEachVersion_WithItsDiff_AsPlainText()
    {
        var (manager, projectId, person) = await EditedAsync("A named person, <b>not</b> a company.");

        var cut = Render<DefinitionHistory>(p => p.Add(c => c.User, manager).Add(c => c.ProjectId, projectId).Add(c => c.LabelKey, person).Add(c => c.LabelSetNumber, 3));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".definition-version").Count));
        var newest = cut.Find("#definition-v2");
        Assert.Contains($"Definition v2 · by {manager.DisplayName}", newest.TextContent, StringComparison.Ordinal);
        Assert.Contains("came with label set v3", newest.TextContent, StringComparison.Ordinal);
        Assert.Equal("+ A named person, <b>not</b> a company.", newest.QuerySelector(".diff-added")!.TextContent);
        Assert.Empty(newest.QuerySelectorAll(".diff-added b"));
        Assert.Equal("− A named individual: customer, employee, courier.", newest.QuerySelector(".diff-removed")!.TextContent);
        Assert.Empty(cut.Find("#definition-v1").QuerySelectorAll(".diff-added, .diff-removed"));
    }

    [Fact]
    public async Task DefinitionHistory_ForAnAnnotator_SaysItNeedsTheReviewerRole()
    {
        var (_, projectId, person) = await EditedAsync("A named person.");
        await using var db = await Database.ContextAsync();
        var annotator = await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.Role == ProjectRole.Annotator)
            .Select(m => new PortalPrincipal(m.UserId, "Annotator", new HashSet<string> { AppRoles.User })).FirstAsync();

        var cut = Render<DefinitionHistory>(p => p.Add(c => c.User, annotator).Add(c => c.ProjectId, projectId).Add(c => c.LabelKey, person));

        cut.WaitForAssertion(() => Assert.Contains("needs the Reviewer role", cut.Find("#definition-history").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll(".definition-version"));
    }

    [Fact]
    public void LabelCard_ShowsTheLabelsCurrentDefinitionVersion()
    {
        var label = new LabelOption(Guid.NewGuid(), "Person", "Person", "#e57373", "p", "A named person.", 0);

        var cut = Render<LabelCard>(p => p.Add(c => c.Label, label).Add(c => c.Definition, new DefinitionStamp(3, new DateTime(2026, 11, 12, 8, 0, 0, DateTimeKind.Utc))));

        Assert.Equal("Definition v3, changed 12 Nov 2026", cut.Find(".label-card-version").TextContent);
    }
}
