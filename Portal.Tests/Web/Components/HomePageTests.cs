using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Web.Components.Pages;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Components;

public class HomePageTests : ComponentTestContext
{
    [Fact]
    public async Task Annotator_SeesTheDemoProjectWithProgressAndStartLabeling()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        // Labeled tasks that asked for one more annotator are not complete yet.
        var complete = await db.Tasks.CountAsync(Portal.Data.Queries.TaskQueries.IsComplete);
        var labeled = await db.Tasks.CountAsync(t => t.SubmittedCount > 0 && !t.IsGold);
        Assert.InRange(complete, 1, labeled - 1);

        var cut = Render<HomePage>();

        cut.WaitForAssertion(() => Assert.Contains(DemoSeeder.ProjectName, cut.Find(".project-card h2").TextContent, StringComparison.Ordinal));
        Assert.Equal($"/projects/{projectId}/label", cut.Find("a.start-labeling").GetAttribute("href"));
        Assert.Contains($"{complete} of {DemoSeeder.TaskCount}", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("Welcome, Ana", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#new-project"));
        // Blind labeling: no review, adjudication or audit queues on an annotator's card, nor the QA lead's pages.
        Assert.Empty(cut.FindAll("a.review"));
        Assert.Empty(cut.FindAll("a.audit"));
        Assert.Empty(cut.FindAll("a.gold"));
    }

    [Fact]
    public async Task QaLead_SeesTheAuditQueue_AndTheCardTitleOpensTheOverview()
    {
        await SignInAsync("reviewer");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var waiting = await db.AuditSamples.CountAsync(s => s.Outcome == Portal.Core.Audits.AuditOutcome.Waiting);

        var cut = Render<HomePage>();

        cut.WaitForAssertion(() => Assert.Contains($"Audit{waiting}", cut.Find("a.audit").TextContent.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal));
        Assert.Equal($"/projects/{projectId}", cut.Find("a.open-project").GetAttribute("href"));
        Assert.Equal("Reviewer", cut.Find(".project-access").TextContent.Trim());
        // The other pages moved to the project's menu: the card keeps the day's work.
        Assert.Empty(cut.FindAll("a.gold"));
        Assert.Empty(cut.FindAll("a.taxonomy"));
    }

    [Fact]
    public async Task Admin_WhoIsNoMember_IsNotCalledManager_AndHasNoLabelingOfTheirOwn()
    {
        await SignInAsync("admin");

        var cut = Render<HomePage>();

        cut.WaitForAssertion(() => Assert.Equal("Admin · not a member", cut.Find(".project-access").TextContent.Trim()));
        Assert.DoesNotContain("Manager", cut.Find(".project-card").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".my-labeled"));
        // Admins still act everywhere: the QA queues are there.
        Assert.NotNull(cut.Find("a.review"));
    }

    [Fact]
    public async Task Reviewer_SeesTheReviewAndAdjudicationQueuesWithTheirCounts()
    {
        await SignInAsync("reviewer");
        await using var db = await Database.ContextAsync();
        var adjudication = await db.Tasks.CountAsync(t => t.State == Portal.Core.Labeling.TaskState.Adjudication);

        var cut = Render<HomePage>();

        cut.WaitForAssertion(() => Assert.Contains($"Adjudicate{adjudication}", cut.Find("a.adjudicate").TextContent.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal));
        Assert.EndsWith("/review", cut.Find("a.review").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manager_CreatesAProjectInTheDialog_AndSeesItsCard()
    {
        await SignInAsync("manager");
        var cut = Render(WithProviders<HomePage>());
        cut.WaitForAssertion(() => cut.Find("#new-project"));

        cut.Find("#new-project").Click();
        cut.WaitForAssertion(() => cut.Find("#create-project"));
        cut.Find("#create-project").Click();
        cut.WaitForAssertion(() => Assert.Contains("Give the project a name.", cut.Markup, StringComparison.Ordinal));

        cut.Find("input#project-name").Input("Returns desk");
        cut.Find("#create-project").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".project-card").Count));
        Assert.Contains("Returns desk", cut.Markup, StringComparison.Ordinal);
        await using var db = await Database.ContextAsync();
        Assert.True(await db.Projects.AnyAsync(p => p.Name == "Returns desk"));
    }
}
