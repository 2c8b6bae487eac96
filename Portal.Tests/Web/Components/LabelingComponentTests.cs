using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Taxonomy;
using Portal.Web.Components.Labeling;
using Portal.Web.Labeling;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Components;

public class LabelingComponentTests : ComponentTestContext
{
    [Fact]
    public void SpanText_NestedSpans_RenderAsTextWithStackedUnderlines_AndNoMarkupFromTheText()
    {
        const string text = "<b>Maria</b> works at Nordwind Logistics";
        var cut = Render<SpanText>(p => p
            .Add(c => c.Text, text)
            .Add(c => c.Spans, [new SpanView(22, 40, "Organization", "#64b5f6"), new SpanView(22, 30, "Company", "#42a5f5"), new SpanView(0, 12, "Person", "javascript:alert(1)")]));

        Assert.Equal(text, cut.Find(".span-text").TextContent);
        Assert.Empty(cut.FindAll(".span-text b"));
        var nested = cut.Find("[data-s='22']");
        Assert.Contains("inset 0 -6px 0 #64b5f6", nested.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Contains("#9e9e9e", cut.Find("[data-s='0']").GetAttribute("style"), StringComparison.Ordinal);
        Assert.DoesNotContain("javascript", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void SpanText_ClickingASpan_ReportsIt_SuggestionsAreNotClickable()
    {
        int? clicked = null;
        var cut = Render<SpanText>(p => p
            .Add(c => c.Text, "Hamburg and Lyon")
            .Add(c => c.Spans, [new SpanView(0, 7, "City", "#66bb6a"), new SpanView(12, 16, "City", "#66bb6a", Suggested: true)])
            .Add(c => c.OnSpanClick, i => clicked = i));

        cut.Find("[data-s='12']").Click();
        Assert.Null(clicked);
        cut.Find("[data-s='0']").Click();
        Assert.Equal(0, clicked);
    }

    [Fact]
    public void LabelPalette_FiltersLargeLabelSets_AndPicksALabel()
    {
        var labels = Enumerable.Range(1, 20).Select(i => new LabelOption(Guid.NewGuid(), $"Label {i}", $"Group / Label {i}", "#123456", null, null, 1)).ToList();
        LabelOption? picked = null;
        var cut = Render<LabelPalette>(p => p
            .Add(c => c.Control, new ControlView("entities", ControlKind.Spans, "Mark the entities", false, labels))
            .Add(c => c.OnPick, l => picked = l));

        cut.Find("input").Input("Label 1");
        Assert.Equal(11, cut.FindAll(".label-option").Count); // Label 1, 10..19
        cut.Find(".label-option[data-label='Group / Label 12']").Click();
        Assert.Equal("Label 12", picked?.Name);
    }

    [Fact]
    public void LabelPalette_ALabelsMeaningExamplesAndCounterExamples_ShowOnHover_AsPlainText()
    {
        var person = new LabelOption(Guid.NewGuid(), "Person", "Entity / Person", "#e57373", "p", "A named <b>person</b>.", 1, "Maria Schneider", "Customer service");
        var city = new LabelOption(Guid.NewGuid(), "City", "City", "#66bb6a", null, null, 0);
        var cut = Render<LabelPalette>(p => p.Add(c => c.Control, new ControlView("entities", ControlKind.Spans, "Mark the entities", false, [person, city])));

        Assert.Equal("Entity / Person\nA named <b>person</b>.\nYes: Maria Schneider\nNo: Customer service",
            cut.Find(".label-option[data-label='Entity / Person']").GetAttribute("title"));
        Assert.Equal("City", cut.Find(".label-option[data-label='City']").GetAttribute("title"));
        Assert.Empty(cut.FindAll(".label-option b"));
    }

    [Fact]
    public void QuestionPanel_OneAnswer_IsANativeRadioGroup_ThatAnswersAndShowsTheChoice()
    {
        var negative = new LabelOption(Guid.NewGuid(), "Negative", "Negative", "#e57373", "1", null, 0);
        var neutral = new LabelOption(Guid.NewGuid(), "Neutral", "Neutral", "#9e9e9e", "2", null, 0);
        IReadOnlySet<Guid>? answered = null;
        var cut = Render<QuestionPanel>(p => p
            .Add(c => c.Control, new ControlView("sentiment", ControlKind.SingleChoice, "Overall sentiment", true, [negative, neutral]))
            .Add(c => c.Selected, new HashSet<Guid> { negative.Key })
            .Add(c => c.SelectedChanged, keys => answered = keys));

        var group = cut.Find("[role='radiogroup']");
        Assert.Equal("Overall sentiment", group.GetAttribute("aria-label"));
        Assert.Equal("true", group.GetAttribute("aria-required"));
        var inputs = cut.FindAll(".mud-radio input[type='radio']");
        Assert.Equal(["Negative", "Neutral"], inputs.Select(i => i.GetAttribute("data-label")));
        Assert.Single(inputs.Select(i => i.GetAttribute("name")).Distinct());
        Assert.True(inputs[0].HasAttribute("checked"));
        Assert.False(inputs[1].HasAttribute("checked"));
        var buttons = cut.FindAll(".mud-radio .mud-icon-button");
        Assert.Contains("mud-checked", buttons[0].ClassList);
        Assert.DoesNotContain("mud-checked", buttons[1].ClassList);
        Assert.Equal("2", cut.FindAll(".mud-radio")[1].QuerySelector("kbd.choice-hotkey")?.TextContent);

        inputs[1].Change(true);
        Assert.Equal([neutral.Key], answered);
    }

    [Fact]
    public async Task LabelingPage_ASubmitFailsUnexpectedly_TheNextSubmitStillReachesTheServer()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var annotator = await db.Users.Where(u => u.DisplayName == "Ana Annotator").Select(u => u.Id).SingleAsync();
        var cut = Render(WithProviders<LabelingPage>((nameof(LabelingPage.ProjectId), projectId)));
        cut.WaitForAssertion(() => cut.Find("#task-id"));

        // Out of the project for a moment: the submit fails with an error the page does not handle itself.
        var membership = await db.ProjectMembers.AsNoTracking().SingleAsync(m => m.ProjectId == projectId && m.UserId == annotator);
        await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.UserId == annotator).ExecuteDeleteAsync();
        await Assert.ThrowsAsync<NotFoundException>(() => cut.Find("#submit").ClickAsync(new MouseEventArgs()));
        db.ProjectMembers.Add(membership);
        await db.SaveChangesAsync();

        // Back in: nothing is answered yet, so the server refuses the submit and says why; a held lock would never get there.
        _ = cut.Find("#submit").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Contains("before submitting", cut.Find("#labeling-errors").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }
}
