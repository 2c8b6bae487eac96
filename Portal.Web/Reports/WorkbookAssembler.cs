using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using Portal.Core.Reports;

namespace Portal.Web.Reports;

/// <summary>
/// Writes the final package: copies the formatted workbook's entries and streams the detail sheets' rows in place of their
/// placeholders, with a SAX-style <see cref="XmlWriter"/> straight into the zip entry, so memory stays flat at any row count.
/// (The Open XML SDK's OpenXmlWriter wraps the same writer but gives no say over its settings; carriage returns in user text
/// must be written as character references to survive, hence <see cref="NewLineHandling.Entitize"/>.)
/// </summary>
internal static partial class WorkbookAssembler
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string Relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>Rows read before the detail sheet is begun, to size its columns from the content.</summary>
    private const int WidthSample = 1_000;

    private static readonly XmlWriterSettings Settings = new() { NewLineHandling = NewLineHandling.Entitize, Encoding = new UTF8Encoding(false) };

    public static async Task WriteAsync(
        Stream formatted, IReadOnlyList<DetailPlaceholder> placeholders, DetailSheet? detail, Stream output, IProgress<long>? progress, CancellationToken ct)
    {
        formatted.Position = 0;
        using var source = new ZipArchive(formatted, ZipArchiveMode.Read, leaveOpen: true);
        using var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var streamed = placeholders.ToDictionary(p => p.Entry);
        foreach (var entry in source.Entries.Where(e => !streamed.ContainsKey(e.FullName)))
        {
            await CopyAsync(entry, target, ct);
        }

        if (detail is null)
        {
            return;
        }

        await using var rows = detail.Rows.GetAsyncEnumerator(ct);
        var written = 0L;
        foreach (var placeholder in placeholders)
        {
            var sample = new List<object?[]>();
            while (sample.Count < Math.Min(WidthSample, placeholder.Part.Rows) && await rows.MoveNextAsync())
            {
                sample.Add(rows.Current);
            }

            var entry = target.CreateEntry(placeholder.Entry, CompressionLevel.Fastest);
            await using var stream = entry.Open();
            using var x = XmlWriter.Create(stream, Settings);
            Begin(x, placeholder, detail.Columns, sample);
            var row = 2;
            var xml = new StringBuilder(512);
            foreach (var values in sample)
            {
                WriteRow(x, xml, row++, values, placeholder.Styles);
            }

            for (var left = placeholder.Part.Rows - sample.Count; left > 0; left--)
            {
                if (!await rows.MoveNextAsync())
                {
                    throw new InvalidOperationException($"The detail rows ended after {written + row - 2:N0} of the {detail.Count:N0} announced.");
                }

                WriteRow(x, xml, row++, rows.Current, placeholder.Styles);
                if ((row & 4095) == 0)
                {
                    progress?.Report(written + row - 2);
                    ct.ThrowIfCancellationRequested();
                }
            }

            written += row - 2;
            End(x, placeholder);
            progress?.Report(written);
        }
    }

    private static async Task CopyAsync(ZipArchiveEntry entry, ZipArchive target, CancellationToken ct)
    {
        var copy = target.CreateEntry(EntryName(entry.FullName), CompressionLevel.Fastest);
        await using var from = entry.Open();
        await using var to = copy.Open();
        switch (entry.FullName)
        {
            case "xl/sharedStrings.xml":
                await SharedStringText.RewriteAsync(from, to, ct);
                break;
            case "_rels/.rels" or "[Content_Types].xml":
                await CorePropertiesAsync(entry.FullName, from, to, ct);
                break;
            default:
                await from.CopyToAsync(to, ct);
                break;
        }
    }

    /// <summary>
    /// System.IO.Packaging stores the document properties as package/services/metadata/core-properties/*.psmdcp, found
    /// through the package's relationships; some readers (openpyxl) only look at docProps/core.xml, where Excel puts them.
    /// </summary>
    private static string EntryName(string name) => name.StartsWith(CoreFolder, StringComparison.Ordinal) && name.EndsWith(".psmdcp", StringComparison.Ordinal) ? CoreEntry : name;

    private const string CoreFolder = "package/services/metadata/core-properties/";
    private const string CoreEntry = "docProps/core.xml";

    private static async Task CorePropertiesAsync(string name, Stream from, Stream to, CancellationToken ct)
    {
        using var reader = new StreamReader(from, Encoding.UTF8);
        var xml = await reader.ReadToEndAsync(ct);
        xml = name == "_rels/.rels"
            ? CoreTarget().Replace(xml, "/" + CoreEntry)
            : xml.Replace("</Types>", $"""<Override PartName="/{CoreEntry}" ContentType="application/vnd.openxmlformats-package.core-properties+xml" /></Types>""", StringComparison.Ordinal);
        await using var writer = new StreamWriter(to, new UTF8Encoding(false));
        await writer.WriteAsync(xml.AsMemory(), ct);
    }

    [GeneratedRegex("/package/services/metadata/core-properties/[0-9a-fA-F]+\\.psmdcp")]
    private static partial Regex CoreTarget();

    private static void Begin(XmlWriter x, DetailPlaceholder placeholder, IReadOnlyList<ReportColumn> columns, List<object?[]> sample)
    {
        x.WriteStartDocument(true);
        x.WriteStartElement("worksheet", Main);
        x.WriteAttributeString("xmlns", "r", null, Relationships);
        x.WriteStartElement("sheetPr");
        x.WriteStartElement("pageSetUpPr");
        x.WriteAttributeString("fitToPage", "1");
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteStartElement("dimension");
        x.WriteAttributeString("ref", $"A1:{ColumnName(columns.Count - 1)}{placeholder.Part.Rows + 1}");
        x.WriteEndElement();
        x.WriteStartElement("sheetViews");
        x.WriteStartElement("sheetView");
        x.WriteAttributeString("workbookViewId", "0");
        x.WriteStartElement("pane");
        x.WriteAttributeString("ySplit", "1");
        x.WriteAttributeString("topLeftCell", "A2");
        x.WriteAttributeString("activePane", "bottomLeft");
        x.WriteAttributeString("state", "frozen");
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteStartElement("cols");
        for (var c = 0; c < columns.Count; c++)
        {
            x.WriteStartElement("col");
            x.WriteAttributeString("min", (c + 1).ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("max", (c + 1).ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("width", ColumnWidths.Estimate(columns[c], sample, c).ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("customWidth", "1");
            x.WriteEndElement();
        }

        x.WriteEndElement();
        x.WriteStartElement("sheetData");
        x.WriteStartElement("row");
        x.WriteAttributeString("r", "1");
        for (var c = 0; c < placeholder.HeaderCells.Count; c++)
        {
            x.WriteStartElement("c");
            x.WriteAttributeString("r", ColumnName(c) + "1");
            x.WriteAttributeString("s", placeholder.HeaderCells[c].Style.ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("t", "s");
            x.WriteElementString("v", placeholder.HeaderCells[c].SharedString);
            x.WriteEndElement();
        }

        x.WriteEndElement();
    }

    private static void End(XmlWriter x, DetailPlaceholder placeholder)
    {
        x.WriteEndElement();
        x.WriteStartElement("pageMargins");
        foreach (var (side, inches) in new[] { ("left", "0.5"), ("right", "0.5"), ("top", "0.75"), ("bottom", "0.75"), ("header", "0.3"), ("footer", "0.3") })
        {
            x.WriteAttributeString(side, inches);
        }

        x.WriteEndElement();
        x.WriteStartElement("pageSetup");
        x.WriteAttributeString("orientation", "landscape");
        x.WriteAttributeString("fitToWidth", "1");
        x.WriteAttributeString("fitToHeight", "0");
        x.WriteEndElement();
        x.WriteStartElement("tableParts");
        x.WriteAttributeString("count", "1");
        x.WriteStartElement("tablePart");
        x.WriteAttributeString("id", Relationships, placeholder.TableRelationshipId);
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteEndDocument();
    }

    /// <summary>
    /// One row as raw XML, built in <paramref name="xml"/> and handed to the writer at once: going through the XmlWriter's
    /// checked element and attribute calls for every cell cost more than half the time of a 100k-row report (measured with
    /// dotnet-trace, benchmarks suite "reports"). What is raw here is our own markup; user text is escaped by <see cref="AppendText"/>.
    /// </summary>
    private static void WriteRow(XmlWriter x, StringBuilder xml, int row, object?[] values, IReadOnlyList<uint> styles)
    {
        var number = row.ToString(CultureInfo.InvariantCulture);
        xml.Clear().Append("<row r=\"").Append(number).Append("\">");
        for (var c = 0; c < values.Length; c++)
        {
            var value = values[c];
            if (value is null)
            {
                continue;
            }

            xml.Append("<c r=\"").Append(ColumnName(c)).Append(number);
            if (value is string text)
            {
                // An inline string: text is text, whatever it looks like (never parsed as a number, date or formula).
                var escaped = CellText.Escape(text);
                var preserve = escaped.Length > 0 && (char.IsWhiteSpace(escaped[0]) || char.IsWhiteSpace(escaped[^1]));
                xml.Append(preserve ? "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" : "\" t=\"inlineStr\"><is><t>");
                AppendText(xml, escaped);
                xml.Append("</t></is></c>");
            }
            else
            {
                xml.Append("\" s=\"").Append(styles[c]).Append("\"><v>")
                    .Append(Number(value)!.Value.ToString("R", CultureInfo.InvariantCulture)).Append("</v></c>");
            }
        }

        x.WriteRaw(xml.Append("</row>").ToString());
    }

    /// <summary>
    /// Text as XML element content: the markup characters as entities, and carriage returns as character references (a raw CR
    /// would be read back as a line feed). <see cref="CellText.Escape"/> has already replaced what XML cannot carry at all.
    /// </summary>
    private static void AppendText(StringBuilder xml, string text)
    {
        var from = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var entity = text[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '\r' => "&#xD;",
                _ => null,
            };
            if (entity is not null)
            {
                xml.Append(text, from, i - from).Append(entity);
                from = i + 1;
            }
        }

        xml.Append(text, from, text.Length - from);
    }

    /// <summary>A cell's number: counts and decimals as they are, days and moments as Excel's serial dates.</summary>
    public static double? Number(object? value) => value switch
    {
        null or string => null,
        DateOnly day => day.ToDateTime(TimeOnly.MinValue).ToOADate(),
        DateTime moment => moment.ToOADate(),
        _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    private static readonly string[] Letters = [.. Enumerable.Range(0, 702).Select(Name)];

    /// <summary>A, B, …, Z, AA, … for a 0-based column index.</summary>
    public static string ColumnName(int index) => index < Letters.Length ? Letters[index] : Name(index);

    private static string Name(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + ((n - 1) % 26)) + name;
        }

        return name;
    }
}
