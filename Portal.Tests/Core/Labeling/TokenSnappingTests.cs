using Portal.Core.Labeling;

namespace Portal.Tests.Core.Labeling;

public class TokenSnappingTests
{
    private const string Text = "Hi, my order INV-2025-1234 cost €1,299.00 in Hamburg.  Thanks!";

    private static string Snapped(int start, int end) => TokenSnapping.Snap(Text, start, end) is { } s ? Text[s.Start..s.End] : "<none>";

    [Theory]
    [InlineData("NV-20", "INV-2025-1234")] // starts and ends mid-token
    [InlineData("der INV", "order INV-2025-1234")] // a selection starting inside "order" takes the whole word
    [InlineData(" Hamb", "Hamburg")] // leading space trimmed, partial word widened
    [InlineData("Hamburg.  ", "Hamburg.")] // trailing spaces trimmed; the full stop was selected, so it stays
    [InlineData("1,29", "1,299.00")] // numbers with separators are one token
    [InlineData("my ord", "my order")]
    public void Snap_WidensToWholeTokens_AndTrimsSpaces(string selected, string expected)
    {
        var start = Text.IndexOf(selected, StringComparison.Ordinal);
        Assert.Equal(expected, Snapped(start, start + selected.Length));
    }

    [Fact]
    public void Snap_PunctuationNextToAWord_IsNotPulledIn()
    {
        var start = Text.IndexOf("Hamburg", StringComparison.Ordinal);
        Assert.Equal("Hamburg", Snapped(start + 2, start + 4));
    }

    [Fact]
    public void Snap_OnlyWhiteSpace_IsNull() => Assert.Equal("<none>", Snapped(Text.IndexOf("  ", StringComparison.Ordinal), Text.IndexOf("  ", StringComparison.Ordinal) + 2));

    [Fact]
    public void Snap_ReversedAndOutOfRange_AreHandled()
    {
        var start = Text.IndexOf("Thanks", StringComparison.Ordinal);
        Assert.Equal("Thanks!", Snapped(Text.Length + 5, start));
    }

    [Fact]
    public void Tokens_CoverEveryNonSpaceCharacterOnce()
    {
        var tokens = TokenSnapping.Tokens(Text);
        Assert.Equal(Text.Count(c => !char.IsWhiteSpace(c)), tokens.Sum(t => t.End - t.Start));
        Assert.Contains(tokens, t => Text[t.Start..t.End] == "€1,299.00" || Text[t.Start..t.End] == "1,299.00");
        Assert.Equal("don't", "I don't know"[TokenSnapping.TokenAt("I don't know", 3)!.Value.Start..TokenSnapping.TokenAt("I don't know", 3)!.Value.End]);
    }
}
