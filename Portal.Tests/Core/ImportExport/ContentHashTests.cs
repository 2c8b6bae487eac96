using Portal.Core.ImportExport;

namespace Portal.Tests.Core.ImportExport;

public class ContentHashTests
{
    [Fact]
    public void Of_WindowsAndUnixLineEndings_AreTheSameText() =>
        Assert.Equal(ContentHash.Of("a\nb"), ContentHash.Of("a\r\nb"));

    [Fact]
    public void Of_ComposedAndDecomposedAccents_AreTheSameText() =>
        Assert.Equal(ContentHash.Of("caf\u00e9"), ContentHash.Of("cafe\u0301"));

    [Fact]
    public void Of_DifferentTexts_Differ_AndLookLikeSha256Hex()
    {
        var hash = ContentHash.Of("order 1");
        Assert.NotEqual(hash, ContentHash.Of("order 2"));
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }
}
