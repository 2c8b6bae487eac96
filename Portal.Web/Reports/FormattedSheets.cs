using ClosedXML.Excel;
using Portal.Core.Reports;

namespace Portal.Web.Reports;

/// <summary>Where a table landed on its sheet (1-based, header row included), for the charts that read it.</summary>
public sealed record TablePlace(string Sheet, string Table, int HeaderRow, int FirstColumn, int LastRow, int LastColumn);

/// <summary>
/// Writes the small formatted sheets with ClosedXML: tables one under the other with a title line, real numbers and dates
/// with formats, user text always as text, widths from the content, frozen header, landscape print fit to the page width.
/// The detail sheets are only placeholders here (header and a row of sample formats, whose styles the streamed rows reuse).
/// </summary>
internal static class FormattedSheets
{
    /// <summary>Blank rows between two tables of a sheet.</summary>
    private const int Gap = 2;

    /// <summary>What Excel shows numbers and dates as, by column kind.</summary>
    public static string Format(ColumnKind kind) => kind switch
    {
        ColumnKind.Count => "#,##0",
        ColumnKind.Id => "0",
        ColumnKind.Number => "#,##0.0#",
        ColumnKind.Percent => "0.0%",
        ColumnKind.Coefficient => "0.00",
        ColumnKind.Date => "yyyy-mm-dd",
        ColumnKind.DateTime => "yyyy-mm-dd hh:mm",
        _ => "@",
    };

    public static List<TablePlace> Write(WorkbookSpec spec, IReadOnlyList<SheetPart> detailParts, Stream output)
    {
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = spec.Title;
        workbook.Properties.Subject = spec.Subject;
        workbook.Properties.Author = spec.Author;
        workbook.Properties.Company = "Portal";
        workbook.Properties.Created = spec.CreatedUtc;
        var places = new List<TablePlace>();
        foreach (var sheet in spec.Sheets)
        {
            places.AddRange(WriteSheet(workbook.Worksheets.Add(sheet.Name), sheet));
        }

        foreach (var part in detailParts)
        {
            WritePlaceholder(workbook.Worksheets.Add(part.Name), spec.Detail!.Columns);
        }

        workbook.SaveAs(output);
        return places;
    }

    private static List<TablePlace> WriteSheet(IXLWorksheet ws, ReportSheet sheet)
    {
        var row = 1;
        foreach (var line in sheet.Intro)
        {
            Text(ws.Cell(row++, 1), line);
        }

        row += sheet.Intro.Count > 0 ? 1 : 0;
        var places = new List<TablePlace>();
        var widths = new Dictionary<int, double>();
        foreach (var table in sheet.Tables)
        {
            var title = ws.Cell(row++, 1);
            Text(title, table.Title);
            title.Style.Font.Bold = true;
            if (table.Rows.Count == 0)
            {
                Text(ws.Cell(row, 1), table.Empty);
                ws.Cell(row, 1).Style.Font.Italic = true;
                row += 1 + Gap;
                continue;
            }

            if (places.Count == 0)
            {
                // The first table's header stays in view while scrolling.
                ws.SheetView.FreezeRows(row);
            }

            places.Add(WriteTable(ws, table, row, widths));
            row += table.Rows.Count + 1 + Gap;
        }

        foreach (var (column, width) in widths)
        {
            ws.Column(column).Width = width;
        }

        PrintSetup(ws);
        return places;
    }

    private static TablePlace WriteTable(IXLWorksheet ws, ReportTable table, int headerRow, Dictionary<int, double> widths)
    {
        var headers = UniqueHeaders(table.Columns);
        for (var c = 0; c < table.Columns.Count; c++)
        {
            Text(ws.Cell(headerRow, c + 1), headers[c]);
            var width = ColumnWidths.Estimate(table.Columns[c] with { Header = headers[c] }, table.Rows, c);
            widths[c + 1] = Math.Max(widths.GetValueOrDefault(c + 1), width);
        }

        for (var r = 0; r < table.Rows.Count; r++)
        {
            for (var c = 0; c < table.Columns.Count; c++)
            {
                Value(ws.Cell(headerRow + 1 + r, c + 1), table.Rows[r][c], table.Columns[c].Kind);
            }
        }

        var lastRow = headerRow + table.Rows.Count;
        var range = ws.Range(headerRow, 1, lastRow, table.Columns.Count);
        var xlTable = range.CreateTable(table.Name);
        xlTable.Theme = XLTableTheme.TableStyleMedium2;
        xlTable.ShowRowStripes = true;
        xlTable.ShowAutoFilter = true;
        if (table.ColorScale && table.Columns.Count > 1)
        {
            ws.Range(headerRow + 1, 2, lastRow, table.Columns.Count).AddConditionalFormat().ColorScale()
                .LowestValue(XLColor.FromHtml("#F8696B")).Midpoint(XLCFContentType.Percentile, 50, XLColor.FromHtml("#FFEB84")).HighestValue(XLColor.FromHtml("#63BE7B"));
        }

        return new TablePlace(ws.Name, table.Name, headerRow, 1, lastRow, table.Columns.Count);
    }

    /// <summary>The detail sheet's header and one row of sample values carrying each column's style (replaced when streamed).</summary>
    private static void WritePlaceholder(IXLWorksheet ws, IReadOnlyList<ReportColumn> columns)
    {
        var headers = UniqueHeaders(columns);
        for (var c = 0; c < columns.Count; c++)
        {
            Text(ws.Cell(1, c + 1), headers[c]);
            ws.Cell(1, c + 1).Style.Font.Bold = true;
            Value(ws.Cell(2, c + 1), columns[c].Kind switch
            {
                ColumnKind.Text => "text",
                ColumnKind.Date => new DateOnly(2000, 1, 1),
                ColumnKind.DateTime => new DateTime(2000, 1, 1),
                _ => 0.0,
            }, columns[c].Kind);
        }
    }

    public static void Text(IXLCell cell, string text)
    {
        // SetValue<string> plus the Text type keep "00123", "TRUE" or "2024-01-01" a string; carriage returns and characters
        // XML forbids go in a reversible form that WorkbookAssembler turns back (see SharedStringText).
        cell.SetValue(SharedStringText.Protect(text));
        cell.DataType = XLDataType.Text;
    }

    private static void Value(IXLCell cell, object? value, ColumnKind kind)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                Text(cell, text);
                return;
            case DateOnly day:
                cell.SetValue(day.ToDateTime(TimeOnly.MinValue));
                break;
            case DateTime moment:
                cell.SetValue(moment);
                break;
            default:
                cell.SetValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }

        cell.Style.NumberFormat.Format = Format(kind);
    }

    /// <summary>Table headers must differ (two annotators may share a name): repeats get " (2)", " (3)"…</summary>
    public static string[] UniqueHeaders(IReadOnlyList<ReportColumn> columns)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new string[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var header = string.IsNullOrWhiteSpace(columns[i].Header) ? $"Column {i + 1}" : columns[i].Header;
            var candidate = header;
            for (var n = 2; !seen.Add(candidate); n++)
            {
                candidate = $"{header} ({n})";
            }

            result[i] = candidate;
        }

        return result;
    }

    private static void PrintSetup(IXLWorksheet ws)
    {
        ws.PageSetup.PageOrientation = XLPageOrientation.Landscape;
        ws.PageSetup.FitToPages(1, 0);
    }
}
