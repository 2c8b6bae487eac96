using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Components.Projects;

namespace Portal.Tests.Web.Components;

/// <summary>The settings page and the guidelines page over the seeded demo project.</summary>
public class ProjectSettingsComponentTests : ComponentTestContext
{
    [Fact]
    public async Task SettingsPage_ShowsTheFieldErrorNextToTheField_AndKeepsWhatWasTyped()
    {
        await SignInAsync("manager");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var cut = Render(WithProviders<ProjectSettingsPage>(("ProjectId", projectId)));
        cut.WaitForAssertion(() => cut.Find("#save-general"));
        Assert.Contains("/settings/review", cut.Find("#link-review-settings").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("/settings/quality", cut.Find("#link-quality-settings").GetAttribute("href"), StringComparison.Ordinal);

        cut.Find("input#settings-reservation").Change("0");
        cut.Find("#save-general").Click();

        cut.WaitForAssertion(() => Assert.Contains("Reservation time must be between 1 minute and 24 hours.", cut.Markup, StringComparison.Ordinal));
        Assert.Equal("0", cut.Find("input#settings-reservation").GetAttribute("value"));
        Assert.Equal(30, await db.Projects.Where(p => p.Id == projectId).Select(p => p.ReservationMinutes).SingleAsync());
    }

    [Fact]
    public async Task SettingsPage_ChangingOverlap_SaysWhatHappensToOpenTasks()
    {
        await SignInAsync("manager");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var cut = Render(WithProviders<ProjectSettingsPage>(("ProjectId", projectId)));
        cut.WaitForAssertion(() => cut.Find("#save-general"));
        Assert.Empty(cut.FindAll("#overlap-effect"));

        cut.Find("input#settings-overlap").Change("3");

        cut.WaitForAssertion(() => Assert.Contains("still waiting for annotations get the new number", cut.Find("#overlap-effect").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SettingsPage_TellsAnAnnotatorItNeedsTheManagerRole()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();

        var cut = Render(WithProviders<ProjectSettingsPage>(("ProjectId", projectId)));

        cut.WaitForAssertion(() => Assert.Contains("needs the Manager role", cut.Find("#no-access").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#save-general"));
    }

    [Fact]
    public async Task GuidelinesEditor_PreviewFollowsTheText_WithATable()
    {
        await SignInAsync("manager");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var cut = Render(WithProviders<GuidelinesPage>(("ProjectId", projectId)));
        cut.WaitForAssertion(() => cut.Find("#edit-guidelines"));
        cut.Find("#edit-guidelines").Click();
        Assert.Empty(cut.Find("#guidelines-preview").QuerySelectorAll("table"));

        cut.Find("textarea#guidelines-text").Input("# Rules\n\n| Label | Use for |\n|---|---|\n| Person | names |\n\n<script>alert(1)</script>");

        cut.WaitForAssertion(() => Assert.Equal("Person", cut.Find("#guidelines-preview table td").TextContent));
        Assert.Empty(cut.Find("#guidelines-preview").QuerySelectorAll("script"));
        Assert.Contains("<script>alert(1)</script>", cut.Find("#guidelines-preview").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuidelinesPage_IsReadOnlyForAnnotators_WithoutInstructionsOrHistory()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();

        var cut = Render(WithProviders<GuidelinesPage>(("ProjectId", projectId)));

        cut.WaitForAssertion(() => cut.Find("#current-guidelines"));
        Assert.Empty(cut.FindAll("#edit-guidelines"));
        Assert.Empty(cut.FindAll("#guidelines-history"));
        Assert.Empty(cut.FindAll("#reviewer-instructions-box"));
    }
}
