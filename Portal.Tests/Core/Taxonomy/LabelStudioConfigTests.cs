using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.Taxonomy;

public class LabelStudioConfigTests
{
    private const string Config = """
        <View>
          <Header value="Read the message"/>
          <Text name="text" value="$text"/>
          <Labels name="label" toName="text">
            <Label value="PER" background="#ff0000" hotkey="p"/>
            <Label value="ORG"/>
          </Labels>
          <Choices name="sentiment" toName="text" choice="single">
            <Choice value="Positive"/>
            <Choice value="Negative"/>
          </Choices>
          <Choices name="topics" toName="text" choice="multiple">
            <Choice value="Billing"/>
          </Choices>
        </View>
        """;

    [Fact]
    public void Read_LabelsAndChoices_BecomeSpanAndChoiceQuestions()
    {
        var (template, errors) = LabelStudioConfig.Read("config.xml", Config);

        Assert.Empty(errors);
        Assert.Equal(
            [("label", ControlKind.Spans), ("sentiment", ControlKind.SingleChoice), ("topics", ControlKind.MultipleChoice)],
            template!.Controls.Select(c => (c.Name, c.Kind)).ToList());
        var person = template.Controls[0].Labels[0];
        Assert.Equal(("PER", "#ff0000", "p"), (person.Name, person.Color, person.Hotkey));
        Assert.Equal(["Positive", "Negative"], template.Controls[1].Labels.Select(l => l.Name));
    }

    [Fact]
    public void Read_UnsupportedTag_IsAnErrorNamingTheTagAndLine()
    {
        var (template, errors) = LabelStudioConfig.Read("config.xml", "<View>\n<Text name=\"text\" value=\"$text\"/>\n<Rating name=\"stars\" toName=\"text\"/>\n</View>");

        Assert.Null(template);
        Assert.Equal("config.xml, line 3: <Rating> is not supported; Portal takes <View>, <Header>, <Text>, <Labels> with <Label>, <Choices> with <Choice>, " +
            "<Taxonomy> with nested <Choice>, <TextArea> and <Relations> with <Relation>.", Assert.Single(errors));
    }

    [Theory]
    [InlineData("<View><Labels name=\"a\"><Label value=\"X\"/><Label value=\"X\"/></Labels></View>", "\"X\" is in \"a\" twice")]
    [InlineData("<View><Labels toName=\"text\"><Label value=\"X\"/></Labels></View>", "<Labels> needs a name")]
    [InlineData("<View><Choices name=\"c\" choice=\"many\"><Choice value=\"X\"/></Choices></View>", "choice=\"many\" is not supported")]
    [InlineData("<View><Text name=\"text\" value=\"$text\"/></View>", "has no <Labels>, <Choices>, <Taxonomy>, <TextArea> or <Relations>")]
    [InlineData("<View><TextArea name=\"note\" toName=\"text\" perRegion=\"true\"/></View>", "a per-region <TextArea> (perRegion=\"true\") is not supported")]
    [InlineData("<View><Choices name=\"c\"><Choice value=\"A\"><Choice value=\"B\"/></Choice></Choices></View>", "<Choice> belongs directly inside <Choices>, not <Choice>")]
    [InlineData("<Form><Labels name=\"a\"/></Form>", "starts with <View>")]
    [InlineData("<View><Labels name=\"a\">", "line 1: not valid XML")]
    public void Read_BadConfigs_AreRefusedWithAReason(string xml, string expected)
    {
        var (template, errors) = LabelStudioConfig.Read("config.xml", xml);

        Assert.Null(template);
        Assert.Contains(expected, errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TaxonomyTextAreaAndRelations_BecomeHierarchicalFreeTextAndRelationQuestions()
    {
        const string xml = """
            <View>
              <Text name="text" value="$text"/>
              <Labels name="ner" toName="text"><Label value="Person"/><Label value="Organization"/></Labels>
              <Relations>
                <Relation value="works for"/>
                <Relation value="founded"/>
              </Relations>
              <Taxonomy name="topic" toName="text">
                <Choice value="Billing"><Choice value="Refund"/><Choice value="Invoice"/></Choice>
                <Choice value="Delivery"/>
              </Taxonomy>
              <TextArea name="summary" toName="text" placeholder="One sentence" required="true"/>
            </View>
            """;

        var (template, errors) = LabelStudioConfig.Read("config.xml", xml);

        Assert.Empty(errors);
        Assert.Equal(
            [("ner", ControlKind.Spans), ("relations", ControlKind.Relations), ("topic", ControlKind.HierarchicalChoice), ("summary", ControlKind.FreeText)],
            template!.Controls.Select(c => (c.Name, c.Kind)).ToList());
        Assert.Equal(["works for", "founded"], template.Controls[1].Labels.Select(l => l.Name));
        Assert.Equal(["Refund", "Invoice"], template.Controls[2].Labels[0].Children.Select(l => l.Name));
        var summary = template.Controls[3];
        Assert.Equal(("One sentence", true), (summary.Prompt, summary.Required));
        Assert.Empty(summary.Labels);
    }
}
