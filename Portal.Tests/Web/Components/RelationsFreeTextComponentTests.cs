using Bunit;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Web.Components.Labeling;
using Portal.Web.Components.Review;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Components;

/// <summary>The editor's free-text and relation questions, and the read-only answers of review and adjudication.</summary>
public class RelationsFreeTextComponentTests : ComponentTestContext
{
    private const string Text = "Maria <b>Schneider</b> works for Acme.";
    private static readonly LabelOption Person = new(Guid.NewGuid(), "Person", "Person", "#e57373", null, null, 0);
    private static readonly LabelOption Organization = new(Guid.NewGuid(), "Organization", "Organization", "#64b5f6", null, null, 0);
    private static readonly LabelOption WorksFor = new(Guid.NewGuid(), "works for", "works for", "#5c6bc0", null, null, 0);

    private static readonly IReadOnlyList<ControlView> Controls =
    [
        new("entities", ControlKind.Spans, "Mark the entities", false, [Person, Organization]),
        new("relations", ControlKind.Relations, "Link the entities", false, [WorksFor]),
        new("summary", ControlKind.FreeText, "Summarize the message", true, []),
    ];

    private static readonly SpanValue Maria = new("entities", Person.Key, 0, 22);
    private static readonly SpanValue Acme = new("entities", Organization.Key, 33, 37);

    private static AnnotationResult Linked => new([Maria, Acme], [])
    {
        Texts = [new TextValue("summary", "Maria works for Acme.")],
        Relations = [new RelationValue("relations", Maria, Acme, WorksFor.Key)],
    };

    private IRenderedComponent<AnnotationEditor> Editor(AnnotationResult initial, Action? changed = null) =>
        Render<AnnotationEditor>(p => p
            .Add(c => c.Text, Text)
            .Add(c => c.Controls, Controls)
            .Add(c => c.Initial, initial)
            .Add(c => c.ResetKey, 1)
            .Add(c => c.OnChanged, () => changed?.Invoke()));

    [Fact]
    public void Editor_ShowsLinksAsSpanRelationSpan_AndTheWrittenAnswer_InPlainText()
    {
        var cut = Editor(Linked);

        var line = cut.Find(".relation-line").TextContent;
        Assert.Contains("“Maria <b>Schneider</b>” (Person)", line, StringComparison.Ordinal);
        Assert.Contains("→ works for →", line, StringComparison.Ordinal);
        Assert.Contains("“Acme” (Organization)", line, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".relation-line b"));
        Assert.Equal("Maria works for Acme.", cut.Find(".free-text-question textarea").GetAttribute("value") ?? cut.Find(".free-text-question textarea").TextContent);
    }

    [Fact]
    public void Editor_TypingTheAnswer_ChangesTheResult_AndTellsThePageToSave()
    {
        var changes = 0;
        var cut = Editor(Linked, () => changes++);

        cut.Find(".free-text-question textarea").Input("A new summary");

        Assert.Equal(new TextValue("summary", "A new summary"), Assert.Single(cut.Instance.Current.Texts));
        Assert.Equal(1, changes);
    }

    [Fact]
    public void Editor_RemovingASpan_RemovesItsLinks_AndSaysSo()
    {
        var cut = Editor(Linked);

        cut.Find("[data-span='33-37'] + .mud-chip-close-button").Click();

        Assert.Empty(cut.Instance.Current.Relations);
        Assert.Empty(cut.FindAll(".relation-line"));
        Assert.Equal("Removed “Acme” and its link to other spans.", cut.Find("#removal-note").TextContent.Trim());
    }

    [Fact]
    public void Editor_RemovingALink_KeepsItsSpans()
    {
        var cut = Editor(Linked);

        cut.Find(".relation-line .remove-link").Click();

        Assert.Empty(cut.Instance.Current.Relations);
        Assert.Equal(2, cut.Instance.Current.Spans.Count);
    }

    [Fact]
    public void RelationPanel_WithoutAChosenSpan_SaysWhatToDo_WithOne_OffersLinkTo()
    {
        var cut = Render<RelationPanel>(p => p
            .Add(c => c.Control, Controls[1]).Add(c => c.Text, Text).Add(c => c.Controls, Controls).Add(c => c.Spans, [Maria, Acme]));

        Assert.Contains("Click a marked span to link it", cut.Markup, StringComparison.Ordinal);
        cut.Render(p => p.Add(c => c.From, Maria));
        Assert.Contains("Link “Maria <b>Schneider</b>” to…", cut.Find(".link-to").TextContent, StringComparison.Ordinal);
        cut.Find(".link-to").Click();
        Assert.True(cut.Find(".add-link").HasAttribute("disabled"));
    }

    [Fact]
    public void Answers_ReadOnly_ShowWrittenAnswerAndLinks_WithoutRemoveButtons_OrMarkup()
    {
        var result = Linked with { Texts = [new TextValue("summary", "<script>alert(1)</script>\nsecond line")] };

        var cut = Render<Answers>(p => p.Add(c => c.Result, result).Add(c => c.Controls, Controls).Add(c => c.Text, Text));

        Assert.Equal("<script>alert(1)</script>\nsecond line", cut.Find(".written-text").TextContent);
        Assert.Empty(cut.FindAll("script"));
        Assert.Single(cut.FindAll(".relation-line"));
        Assert.Empty(cut.FindAll(".remove-link"));
    }

    [Fact]
    public void StartingLabelSetFile_ALabelStudioConfig_BecomesTheTemplate_ABadOneIsRefusedNamingTheLine()
    {
        TaxonomyTemplate? template = null;
        var cut = Render<Portal.Web.Components.Pages.StartingLabelSetFile>(p => p.Add(c => c.TemplateChanged, t => template = t));
        const string config = """
            <View>
              <Text name="text" value="$text"/>
              <Labels name="ner" toName="text"><Label value="Person"/></Labels>
              <Relations><Relation value="knows"/></Relations>
              <TextArea name="summary" toName="text"/>
            </View>
            """;

        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromText(config, "config.xml"));

        Assert.Equal([ControlKind.Spans, ControlKind.Relations, ControlKind.FreeText], template!.Controls.Select(c => c.Kind));
        cut.Render(p => p.Add(c => c.Template, template));
        Assert.Contains("relations (relations), summary (text)", cut.Find("#starting-file-summary").TextContent, StringComparison.Ordinal);

        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromText("<View>\n<Rating name=\"r\"/>\n</View>", "bad.xml"));

        Assert.Null(template);
        Assert.Contains("bad.xml, line 2: <Rating> is not supported", cut.Find("#starting-file-errors").TextContent, StringComparison.Ordinal);
    }
}
