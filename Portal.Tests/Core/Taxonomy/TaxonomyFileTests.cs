using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.Taxonomy;

public class TaxonomyFileTests
{
    private static readonly Guid Org = Guid.Parse("00000000-0000-0000-0000-000000000001");
    private static readonly Guid Company = Guid.Parse("00000000-0000-0000-0000-000000000002");
    private static readonly Guid Person = Guid.Parse("00000000-0000-0000-0000-000000000004");

    private static TaxonomyDraft Draft() => TaxonomyDraft.From(1, new TaxonomyModel(
    [
        new TaxonomyQuestion("entities", ControlKind.Spans, "Mark the entities", false,
        [
            new(Org, null, "Organization", "#64b5f6", "o"),
            new(Company, Org, "Company", "#42a5f5", "c", "=HYPERLINK(\"x\")"),
            new(Person, null, "Person", "#e57373", "p", "A named individual, \"quoted\", with, commas"),
        ]),
    ]));

    [Fact]
    public void Csv_RoundTrip_KeepsKeysAndTexts_AndNeutralisesFormulas()
    {
        var csv = TaxonomyFile.WriteCsv(Draft().Model);

        Assert.Contains("'=HYPERLINK", csv, StringComparison.Ordinal);
        var (rows, errors) = TaxonomyFile.Read("labels.csv", csv);
        Assert.Empty(errors);
        var (draft, applyErrors) = TaxonomyFile.Apply(Draft(), rows);
        Assert.Empty(applyErrors);
        Assert.Empty(draft!.Changes);
        Assert.Equal("=HYPERLINK(\"x\")", draft.Model.Find(Company)!.Value.Label.Description);
        Assert.Equal("A named individual, \"quoted\", with, commas", draft.Model.Find(Person)!.Value.Label.Description);
    }

    [Fact]
    public void Json_RoundTrip_IsTheSameTree()
    {
        var json = TaxonomyFile.WriteJson(Draft().Model);
        var (rows, errors) = TaxonomyFile.Read("labels.json", json);
        var (draft, applyErrors) = TaxonomyFile.Apply(Draft(), rows);

        Assert.Empty(errors);
        Assert.Empty(applyErrors);
        Assert.Equal(TaxonomyFile.WriteJson(Draft().Model), TaxonomyFile.WriteJson(draft!.Model));
    }

    [Fact]
    public void Csv_EditedInASpreadsheet_RenamesByKey_AddsNewPaths_AndDeprecates()
    {
        var csv = """
            question,path,color,hotkey,description,examples,counter_examples,deprecated,key
            entities,Organization,#64b5f6,o,,,,no,00000000-0000-0000-0000-000000000001
            entities,Organization / Business,#42a5f5,c,,,,no,00000000-0000-0000-0000-000000000002
            entities,Organization / Charity,#123456,h,,,,no,
            entities,Person,#e57373,,,,,yes,00000000-0000-0000-0000-000000000004
            """;

        var (rows, errors) = TaxonomyFile.Read("labels.csv", csv);
        var (draft, applyErrors) = TaxonomyFile.Apply(Draft(), rows);

        Assert.Empty(errors);
        Assert.Empty(applyErrors);
        Assert.Equal("Organization / Business", draft!.Model.PathOf(Company));
        Assert.Contains(draft.Changes, c => c.Kind == LabelChangeKind.Rename && c.Key == Company);
        Assert.Contains(draft.Changes, c => c.Kind == LabelChangeKind.Add);
        Assert.Contains(draft.Changes, c => c.Kind == LabelChangeKind.Deprecate && c.Key == Person);
    }

    [Fact]
    public void Csv_BadRows_AreReportedWithTheirLineNumbers_AndNothingChanges()
    {
        var csv = "question,path,color,deprecated\nentities,Organization,#64b5f6,no\nentities,Nowhere / Child,#000000,no\nwrong,Thing,#000000,no\nentities,Ragged\nentities,Person,#e57373,perhaps\n";

        var (rows, errors) = TaxonomyFile.Read("labels.csv", csv);
        var (draft, applyErrors) = TaxonomyFile.Apply(Draft(), rows);

        Assert.Equal(["labels.csv, line 5: 2 cells where the header has 4.", "labels.csv, line 6, column \"deprecated\": write yes or no, not \"perhaps\"."], errors);
        Assert.Null(draft);
        Assert.Contains(applyErrors, e => e.StartsWith("labels.csv, line 3: the parent \"Nowhere\" is not in the label set", StringComparison.Ordinal));
        Assert.Contains(applyErrors, e => e.StartsWith("labels.csv, line 4: there is no question \"wrong\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_EmptyFilesAndBrokenJson_SayWhatAndWhere()
    {
        Assert.Equal(["labels.csv is empty."], TaxonomyFile.Read("labels.csv", "\uFEFF  ").Errors);
        Assert.StartsWith("labels.json, line 2: not valid JSON", TaxonomyFile.Read("labels.json", "{\n \"questions\": [ oops").Errors.Single(), StringComparison.Ordinal);
        Assert.StartsWith("labels.csv, line 2: a quoted cell is never closed", TaxonomyFile.Read("labels.csv", "question,path\n\"entities,Person\n").Errors.Single(), StringComparison.Ordinal);
    }
}
