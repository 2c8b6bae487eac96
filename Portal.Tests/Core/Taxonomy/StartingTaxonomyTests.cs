using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.Taxonomy;

public class StartingTaxonomyTests
{
    [Fact]
    public void FromFile_Csv_BuildsNestedLabels_WithKindsPerQuestion()
    {
        var (template, errors) = StartingTaxonomy.FromFile("labels.csv", """
            question,path,color,hotkey,kind
            entities,Organization,#64b5f6,o,
            entities,Organization / Company,,c,
            sentiment,Positive,,,single
            sentiment,Negative,,,
            """);

        Assert.Empty(errors);
        Assert.Equal([("entities", ControlKind.Spans), ("sentiment", ControlKind.SingleChoice)], template!.Controls.Select(c => (c.Name, c.Kind)).ToList());
        var organization = Assert.Single(template.Controls[0].Labels);
        Assert.Equal("Company", Assert.Single(organization.Children).Name);
        Assert.Equal(["Positive", "Negative"], template.Controls[1].Labels.Select(l => l.Name));
    }

    [Fact]
    public void FromFile_JsonExport_RoundTripsQuestionKinds()
    {
        var model = new TaxonomyModel(
        [
            new TaxonomyQuestion("intent", ControlKind.MultipleChoice, "What do they want?", false, [new(Guid.NewGuid(), null, "Refund", "#e57373", "r")]),
        ]);

        var (template, errors) = StartingTaxonomy.FromFile("labels.json", TaxonomyFile.WriteJson(model));

        Assert.Empty(errors);
        var question = Assert.Single(template!.Controls);
        Assert.Equal(("intent", ControlKind.MultipleChoice, "What do they want?", "Refund"), (question.Name, question.Kind, question.Prompt, question.Labels[0].Name));
    }

    [Theory]
    [InlineData("question,path\nentities,Organization / Company\n", "labels.csv, line 2: the parent \"Organization\" is not in the label set")]
    [InlineData("question,path\nentities,Person\nentities,Person\n", "labels.csv, line 3: \"Person\" is in \"entities\" twice")]
    [InlineData("question,path,kind\nentities,Person,boxes\n", "labels.csv, line 2: the kind \"boxes\" is not one Portal knows")]
    [InlineData("question,path,hotkey\nentities,Person,p\nentities,Place,p\n", "labels.csv, line 3: the hotkey \"p\" is taken")]
    [InlineData("question,path\n", "labels.csv: there are no labels in it.")]
    [InlineData("question,path,kind\nsummary,Short,text\n", "labels.csv, line 2: \"summary\" is a free-text question, which has no labels")]
    [InlineData("question,path,kind\nlinks,Owns,relations\nlinks,Owns / Fully,\n", "labels.csv, line 3: \"Owns / Fully\": relation types are one level")]
    public void FromFile_BadRows_AreRefusedNamingTheLine(string csv, string expected)
    {
        var (template, errors) = StartingTaxonomy.FromFile("labels.csv", csv);

        Assert.Null(template);
        Assert.StartsWith(expected, errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_FreeTextAndRelationQuestions_RoundTripThroughJson_AndReadFromCsv()
    {
        var model = new TaxonomyModel(
        [
            new TaxonomyQuestion("links", ControlKind.Relations, "Link the entities", false, [new(Guid.NewGuid(), null, "works for", "#5c6bc0")]),
            new TaxonomyQuestion("summary", ControlKind.FreeText, "Summarize it", true, []),
        ]);

        var (fromJson, jsonErrors) = StartingTaxonomy.FromFile("labels.json", TaxonomyFile.WriteJson(model));
        var (fromCsv, csvErrors) = StartingTaxonomy.FromFile("labels.csv", "question,path,kind\nlinks,works for,relations\nsummary,,text\n");

        Assert.Empty(jsonErrors);
        Assert.Empty(csvErrors);
        foreach (var template in new[] { fromJson!, fromCsv! })
        {
            Assert.Equal([("links", ControlKind.Relations), ("summary", ControlKind.FreeText)], template.Controls.Select(c => (c.Name, c.Kind)).ToList());
            Assert.Equal("works for", Assert.Single(template.Controls[0].Labels).Name);
            Assert.Empty(template.Controls[1].Labels);
        }
    }
}
