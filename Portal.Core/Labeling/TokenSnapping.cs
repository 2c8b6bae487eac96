using System.Globalization;

namespace Portal.Core.Labeling;

/// <summary>
/// Offset arithmetic for the span editor: a mouse selection is widened to whole tokens and trimmed of surrounding
/// white space, so spans never start or end inside a word or on a space. A token is a run of letters, digits and
/// joining marks (apostrophes, hyphens, periods or commas between digits stay inside), or a single other symbol.
/// </summary>
public static class TokenSnapping
{
    /// <summary>
    /// The selection [start, end) snapped to token boundaries, or null when it covers only white space.
    /// Offsets are clamped to the text; a reversed selection is turned round.
    /// </summary>
    public static (int Start, int End)? Snap(string text, int start, int end)
    {
        if (start > end)
        {
            (start, end) = (end, start);
        }

        start = Math.Clamp(start, 0, text.Length);
        end = Math.Clamp(end, 0, text.Length);
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            return null;
        }

        // Widen to the token that contains each end.
        while (start > 0 && IsWordChar(text, start - 1) && IsWordChar(text, start))
        {
            start--;
        }

        while (end < text.Length && IsWordChar(text, end - 1) && IsWordChar(text, end))
        {
            end++;
        }

        return (start, end);
    }

    /// <summary>The token at <paramref name="offset"/> (a double-click), or null on white space.</summary>
    public static (int Start, int End)? TokenAt(string text, int offset) =>
        offset < 0 || offset >= text.Length || char.IsWhiteSpace(text[offset]) ? null : Snap(text, offset, offset + 1);

    /// <summary>Start offsets of all tokens, for keyboard selection (move and extend by token).</summary>
    public static IReadOnlyList<(int Start, int End)> Tokens(string text)
    {
        var tokens = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var token = Snap(text, i, i + 1)!.Value;
            tokens.Add(token);
            i = token.End;
        }

        return tokens;
    }

    private static bool IsWordChar(string text, int i)
    {
        var c = text[i];
        if (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
        {
            return true;
        }

        // Joiners inside a word or number: don't, e-mail, INV-2025-1234, 1,299.00.
        if (i == 0 || i + 1 >= text.Length)
        {
            return false;
        }

        var before = text[i - 1];
        var after = text[i + 1];
        return c switch
        {
            '\'' or '\u2019' or '-' or '_' or '@' or '/' or '#' => char.IsLetterOrDigit(before) && char.IsLetterOrDigit(after),
            '.' or ',' => char.IsDigit(before) && char.IsDigit(after),
            _ => false,
        };
    }
}
