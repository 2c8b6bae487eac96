using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.Taxonomy;

public class DefinitionDiffTests
{
    [Fact]
    public void Between_ChangedLine_IsRemovedThenAdded_AndUnchangedLinesStay()
    {
        var before = new DefinitionText("A complaint about a product.\nNot about delivery.", "\"It broke\"", null);
        var after = new DefinitionText("A complaint about a product or a service.\nNot about delivery.", "\"It broke\"", "\"Where is my parcel?\"");

        var lines = DefinitionDiff.Between(before, after);

        Assert.Equal(
        [
            new DefinitionDiffLine("Definition", DiffLineKind.Removed, "A complaint about a product."),
            new DefinitionDiffLine("Definition", DiffLineKind.Added, "A complaint about a product or a service."),
            new DefinitionDiffLine("Definition", DiffLineKind.Same, "Not about delivery."),
            new DefinitionDiffLine("Examples", DiffLineKind.Same, "\"It broke\""),
            new DefinitionDiffLine("Counter-examples", DiffLineKind.Added, "\"Where is my parcel?\""),
        ], lines);
    }

    [Fact]
    public void Changes_ListsOnlyChangedLines_WithTheirField()
    {
        var before = new DefinitionText("One\nTwo\nThree", null, "No");
        var after = new DefinitionText("One\nThree\nFour", null, null);

        Assert.Equal(["- Definition: Two", "+ Definition: Four", "- Counter-examples: No"], DefinitionDiff.Changes(before, after));
    }

    [Fact]
    public void SameAs_IgnoresBlankVersusMissing_AndLineEndings()
    {
        Assert.True(new DefinitionText("A\r\nB", "", null).SameAs(new DefinitionText("A\nB ", null, "  ")));
        Assert.False(new DefinitionText("A", null, null).SameAs(new DefinitionText("B", null, null)));
        Assert.False(new DefinitionText("A", null, null).SameAs(null));
    }
}
