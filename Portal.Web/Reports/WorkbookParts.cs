using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Portal.Core.Reports;

namespace Portal.Web.Reports;

/// <summary>A detail sheet prepared for streaming: its part in the package, its table's relationship and the styles to reuse.</summary>
/// <param name="Entry">The zip entry of the sheet's XML (its content is replaced by the streamed rows).</param>
/// <param name="HeaderCells">The header cells as ClosedXML wrote them (shared-string index and style), copied verbatim.</param>
/// <param name="Styles">The style index per column for values (number formats).</param>
public sealed record DetailPlaceholder(SheetPart Part, string Entry, string TableRelationshipId, IReadOnlyList<(string SharedString, uint Style)> HeaderCells, IReadOnlyList<uint> Styles);

/// <summary>
/// Adds with the Open XML SDK what ClosedXML 0.95.4 cannot write: native charts (a DrawingsPart and a ChartPart per chart,
/// referencing the sheet's ranges, so a manager can edit them) and the detail sheets' tables, whose rows come later.
/// </summary>
internal static class WorkbookParts
{
    public static List<DetailPlaceholder> Complete(Stream package, WorkbookSpec spec, IReadOnlyList<TablePlace> places, IReadOnlyList<SheetPart> detailParts)
    {
        using var document = SpreadsheetDocument.Open(package, true);
        var workbook = document.WorkbookPart!;
        foreach (var sheet in spec.Sheets.Where(s => s.Charts.Count > 0))
        {
            AddCharts(workbook, sheet, places);
        }

        var tableId = workbook.WorksheetParts.SelectMany(w => w.TableDefinitionParts).Select(t => t.Table.Id?.Value ?? 0).DefaultIfEmpty(0u).Max();
        var placeholders = new List<DetailPlaceholder>();
        foreach (var part in detailParts)
        {
            placeholders.Add(PrepareDetail(workbook, part, spec.Detail!.Columns, ++tableId));
        }

        return placeholders;
    }

    private static WorksheetPart SheetPart(WorkbookPart workbook, string name)
    {
        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == name);
        return (WorksheetPart)workbook.GetPartById(sheet.Id!);
    }

    private static void AddCharts(WorkbookPart workbook, ReportSheet sheet, IReadOnlyList<TablePlace> places)
    {
        var worksheetPart = SheetPart(workbook, sheet.Name);
        var charts = sheet.Charts.Where(c => places.Any(p => p.Table == c.Table)).ToList();
        if (charts.Count == 0)
        {
            return;
        }

        var drawings = worksheetPart.AddNewPart<DrawingsPart>();
        var anchors = new List<string>();
        var column = places.Where(p => p.Sheet == sheet.Name).Max(p => p.LastColumn) + 1;
        foreach (var (chart, i) in charts.Select((c, i) => (c, i)))
        {
            var place = places.Single(p => p.Table == chart.Table);
            var table = sheet.Tables.Single(t => t.Name == chart.Table);
            var chartPart = drawings.AddNewPart<ChartPart>();
            using (var stream = chartPart.GetStream(FileMode.Create))
            {
                ChartXml.Write(stream, chart, table, place);
            }

            anchors.Add(ChartXml.Anchor(drawings.GetIdOfPart(chartPart), i, column, place.HeaderRow - 1 + (i * 22)));
        }

        using (var stream = drawings.GetStream(FileMode.Create))
        {
            ChartXml.WriteDrawing(stream, anchors);
        }

        var worksheet = worksheetPart.Worksheet;
        var drawing = new Drawing { Id = worksheetPart.GetIdOfPart(drawings) };
        // The schema orders a worksheet's children: the drawing goes before the legacy drawing, the tables and extensions.
        var next = worksheet.ChildElements.FirstOrDefault(e => e is LegacyDrawing or LegacyDrawingHeaderFooter or TableParts or WorksheetExtensionList);
        if (next is null)
        {
            worksheet.Append(drawing);
        }
        else
        {
            worksheet.InsertBefore(drawing, next);
        }

        worksheet.Save();
    }

    private static DetailPlaceholder PrepareDetail(WorkbookPart workbook, SheetPart part, IReadOnlyList<ReportColumn> columns, uint tableId)
    {
        var worksheetPart = SheetPart(workbook, part.Name);
        var rows = worksheetPart.Worksheet.Descendants<Row>().ToList();
        var header = rows[0].Elements<Cell>().Select(c => (c.CellValue!.Text, c.StyleIndex?.Value ?? 0)).ToList();
        var styles = rows[1].Elements<Cell>().Select(c => c.StyleIndex?.Value ?? 0).ToList();
        var names = FormattedSheets.UniqueHeaders(columns);
        var reference = $"A1:{WorkbookAssembler.ColumnName(columns.Count - 1)}{Math.Max(part.Rows, 1) + 1}";
        var tablePart = worksheetPart.AddNewPart<TableDefinitionPart>();
        tablePart.Table = new Table(
            new AutoFilter { Reference = reference },
            new TableColumns(names.Select((n, i) => new TableColumn { Id = (uint)i + 1, Name = n })) { Count = (uint)names.Length },
            new TableStyleInfo { Name = "TableStyleMedium2", ShowRowStripes = true, ShowColumnStripes = false, ShowFirstColumn = false, ShowLastColumn = false })
        {
            Id = tableId, Name = part.TableName, DisplayName = part.TableName, Reference = reference, TotalsRowShown = false,
        };
        tablePart.Table.Save();
        var entry = worksheetPart.Uri.OriginalString.TrimStart('/');
        return new DetailPlaceholder(part, entry, worksheetPart.GetIdOfPart(tablePart), header, styles);
    }
}
