namespace Portal.Core.ImportExport;

/// <summary>
/// Label Studio counts text offsets in Unicode code points (its editor converts with <c>charsToCodePoints</c>); Portal
/// keeps UTF-16 units everywhere inside. These convert at the boundary. A text without surrogates (nearly all of them)
/// has the same offsets both ways and is recognised with one vectorised scan, so the plain path costs next to nothing.
/// </summary>
public static class CodePoints
{
    /// <summary>The text has characters outside the Basic Multilingual Plane, so the two offset conventions differ.</summary>
    public static bool Differ(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The text's length in code points.</summary>
    public static int Length(string text) => Differ(text) ? Count(text, text.Length) : text.Length;

    /// <summary>The UTF-16 offset of code point <paramref name="codePoint"/>; -1 when it lies past the text's end.</summary>
    public static int ToUtf16(string text, int codePoint)
    {
        if (codePoint < 0)
        {
            return -1;
        }

        if (!Differ(text))
        {
            return codePoint <= text.Length ? codePoint : -1;
        }

        var units = 0;
        for (var seen = 0; seen < codePoint; seen++)
        {
            if (units >= text.Length)
            {
                return -1;
            }

            units += char.IsHighSurrogate(text[units]) && units + 1 < text.Length && char.IsLowSurrogate(text[units + 1]) ? 2 : 1;
        }

        return units;
    }

    /// <summary>The code-point offset of UTF-16 offset <paramref name="utf16"/> (clamped to the text).</summary>
    public static int FromUtf16(string text, int utf16) =>
        Differ(text) ? Count(text, Math.Clamp(utf16, 0, text.Length)) : Math.Clamp(utf16, 0, text.Length);

    /// <summary>A span in code points as UTF-16 offsets; null when it is not inside the text or is empty.</summary>
    public static (int Start, int End)? SpanToUtf16(string text, int start, int end)
    {
        if (start < 0 || end <= start)
        {
            return null;
        }

        var s = ToUtf16(text, start);
        var e = ToUtf16(text, end);
        return s < 0 || e < 0 ? null : (s, e);
    }

    private static int Count(string text, int units)
    {
        var count = 0;
        for (var i = 0; i < units; i++)
        {
            // A surrogate pair is one code point; a lone surrogate counts as one, as JavaScript's Array.from does.
            if (char.IsHighSurrogate(text[i]) && i + 1 < units && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }

            count++;
        }

        return count;
    }
}
