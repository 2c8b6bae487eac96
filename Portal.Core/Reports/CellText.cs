using System.Text;

namespace Portal.Core.Reports;

/// <summary>
/// User text as a spreadsheet cell holds it. Text cells are never parsed (the writer marks them as strings), so "00123", "1E5",
/// "TRUE", "=1+1" or "'twas" stay as typed; what needs care is XML and Excel's own escape: characters XML cannot carry
/// (control characters other than tab, line feed and carriage return) are written as Excel's _xHHHH_ escape, and text that
/// already looks like such an escape gets its underscore escaped (_x005F_), so that Excel shows it as typed.
/// </summary>
public static class CellText
{
    /// <summary>The most characters an Excel cell holds.</summary>
    public const int MaxLength = 32_767;

    public static string Escape(string text)
    {
        if (!NeedsEscape(text) && text.Length <= MaxLength)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '_' && LooksLikeEscape(text, i))
            {
                result.Append("_x005F");
            }

            if (IsForbidden(text, i))
            {
                result.Append("_x").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)).Append('_');
            }
            else
            {
                result.Append(c);
            }
        }

        return Limit(result.ToString(), text.Length);
    }

    /// <summary>
    /// Cuts text over Excel's limit visibly (Excel refuses longer cells): the cell ends saying how much is missing.
    /// </summary>
    public static string Limit(string text) => Limit(text, text.Length);

    private static string Limit(string text, int originalLength)
    {
        if (text.Length <= MaxLength)
        {
            return text;
        }

        var note = $" […cut: Excel holds {MaxLength:N0} characters in a cell; the original has {originalLength:N0}]";
        var keep = MaxLength - note.Length;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), note);
    }

    private static bool NeedsEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsForbidden(text, i) || (text[i] == '_' && LooksLikeEscape(text, i)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"_x" four hex digits "_" at <paramref name="at"/>: Excel would read it as an escaped character.</summary>
    private static bool LooksLikeEscape(string text, int at) =>
        at + 6 < text.Length && text[at + 1] == 'x' && char.IsAsciiHexDigit(text[at + 2]) && char.IsAsciiHexDigit(text[at + 3])
        && char.IsAsciiHexDigit(text[at + 4]) && char.IsAsciiHexDigit(text[at + 5]) && text[at + 6] == '_';

    /// <summary>Characters XML 1.0 cannot carry: control characters but tab, LF and CR; U+FFFE/U+FFFF; lone surrogates.</summary>
    public static bool IsForbidden(string text, int i)
    {
        var c = text[i];
        if (c < 0x20)
        {
            return c is not ('\t' or '\n' or '\r');
        }

        if (c is '\uFFFE' or '\uFFFF')
        {
            return true;
        }

        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        }

        return char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]));
    }
}
