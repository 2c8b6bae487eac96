using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Portal.Core.Reports;

namespace Portal.Web.Reports;

/// <summary>
/// Gets user text through ClosedXML 0.95.4 unchanged. Its XML writer turns a carriage return into a line feed and cannot
/// write characters XML forbids, so <see cref="Protect"/> hands it a reversible form (private-use U+E000 as escape character)
/// and <see cref="Rewrite"/> rewrites the shared-string table: ClosedXML's own _xHHHH_ escapes decoded, our form undone,
/// then written again by <see cref="CellText"/> with carriage returns as character references, which every XML reader keeps.
/// </summary>
internal static partial class SharedStringText
{
    private const char Mark = '\uE000';
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    public static string Protect(string text)
    {
        text = CellText.Limit(text);
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == Mark)
            {
                result.Append(Mark).Append(Mark);
            }
            else if (c == '\r')
            {
                result.Append(Mark).Append('r');
            }
            else if (CellText.IsForbidden(text, i))
            {
                result.Append(Mark).Append('x').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    public static string Restore(string text)
    {
        if (!text.Contains(Mark, StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != Mark || i + 1 >= text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            var next = text[++i];
            if (next == 'r')
            {
                result.Append('\r');
            }
            else if (next == 'x' && i + 4 < text.Length)
            {
                result.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
            }
            else
            {
                result.Append(next);
            }
        }

        return result.ToString();
    }

    /// <summary>The shared-string table rewritten with the user's text as it was typed (see the class summary).</summary>
    public static async Task RewriteAsync(Stream from, Stream to, CancellationToken ct)
    {
        var table = await XDocument.LoadAsync(from, LoadOptions.PreserveWhitespace, ct);
        foreach (var t in table.Descendants(XName.Get("t", Main)))
        {
            var text = CellText.Escape(Restore(Escapes().Replace(t.Value, m => ((char)int.Parse(m.Groups[1].ValueSpan, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString())));
            t.Value = text;
            if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
            {
                t.SetAttributeValue(XNamespace.Xml + "space", "preserve");
            }
        }

        await using var writer = XmlWriter.Create(to, new XmlWriterSettings { NewLineHandling = NewLineHandling.Entitize, Encoding = new UTF8Encoding(false), Async = true });
        await table.SaveAsync(writer, ct);
    }

    [GeneratedRegex("_x([0-9A-Fa-f]{4})_")]
    private static partial Regex Escapes();
}
