using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.Taxonomy;

public class LineDiffTests
{
    [Fact]
    public void Between_MarksAddedAndRemovedLines_InReadingOrder()
    {
        var lines = LineDiff.Between("a\nb\nc\nd", "a\nB\nc\nd\ne");

        Assert.Equal(
            [new(DiffLineKind.Same, "a"), new(DiffLineKind.Removed, "b"), new(DiffLineKind.Added, "B"), new(DiffLineKind.Same, "c"),
             new(DiffLineKind.Same, "d"), new(DiffLineKind.Added, "e")],
            lines);
    }

    [Fact]
    public void Between_IgnoresLineEndingsAndTrailingBlanks()
    {
        Assert.All(LineDiff.Between("a\r\nb  \n", "a\nb\n"), l => Assert.Equal(DiffLineKind.Same, l.Kind));
    }

    [Fact]
    public void Between_NothingBefore_IsAllAdded()
    {
        Assert.Equal([new(DiffLineKind.Added, "x"), new(DiffLineKind.Added, "y")], LineDiff.Between(null, "x\ny"));
        Assert.Empty(LineDiff.Between(null, ""));
    }
}
