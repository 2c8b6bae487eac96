using Portal.Core.ImportExport;

namespace Portal.Tests.Core.ImportExport;

/// <summary>Label Studio's code-point offsets against Portal's UTF-16 ones.</summary>
public class CodePointsTests
{
    // Firefighter with a skin tone: man, skin tone, ZWJ, fire engine = 4 code points, 7 UTF-16 units.
    private const string Firefighter = "\U0001F468\U0001F3FB\u200D\U0001F692";

    [Theory]
    [InlineData("plain text", 5, 5)]
    [InlineData(Firefighter + " firemen", 5, 8)]
    [InlineData("\U0001F4A9This", 1, 2)]
    [InlineData("\U00020BB7野家", 1, 2)] // CJK Ext-B 𠮷 is outside the BMP
    [InlineData("Cafe\u0301 Zu\u0308rich", 6, 6)] // combining marks are code points of their own, in the BMP
    public void ToUtf16_CountsSurrogatePairsAsOneCodePoint(string text, int codePoint, int utf16)
    {
        Assert.Equal(utf16, CodePoints.ToUtf16(text, codePoint));
        Assert.Equal(codePoint, CodePoints.FromUtf16(text, utf16));
    }

    [Fact]
    public void SpanToUtf16_RefusesSpansPastTheEnd_AndEmptyOnes()
    {
        var text = Firefighter + " ok";

        Assert.Equal((8, 10), CodePoints.SpanToUtf16(text, 5, 7));
        Assert.Null(CodePoints.SpanToUtf16(text, 5, 8));
        Assert.Null(CodePoints.SpanToUtf16(text, 3, 3));
        Assert.Null(CodePoints.SpanToUtf16(text, -1, 2));
        Assert.Equal(7, CodePoints.Length(text));
        Assert.False(CodePoints.Differ("Великий Новгород"));
    }

    [Fact]
    public void FromUtf16_OfEveryOffset_RoundTrips()
    {
        var text = $"{Firefighter} drive \U00020BB7 e\u0301 \U0001F4A9!";
        for (var cp = 0; cp <= CodePoints.Length(text); cp++)
        {
            Assert.Equal(cp, CodePoints.FromUtf16(text, CodePoints.ToUtf16(text, cp)));
        }
    }
}
