using System.Globalization;
using System.Xml;
using Portal.Core.Reports;

namespace Portal.Web.Reports;

/// <summary>
/// The DrawingML of a native chart (c:lineChart, c:barChart, c:doughnutChart) over ranges of its sheet, with the values cached
/// so that readers which do not recalculate show it too; and the drawing that places charts on the sheet.
/// </summary>
internal static class ChartXml
{
    private const string C = "http://schemas.openxmlformats.org/drawingml/2006/chart";
    private const string A = "http://schemas.openxmlformats.org/drawingml/2006/main";
    private const string R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string Xdr = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing";

    /// <summary>A chart's size on the sheet, in columns and rows.</summary>
    private const int Columns = 9;
    private const int Rows = 20;

    public static void Write(Stream stream, ReportChart chart, ReportTable table, TablePlace place)
    {
        using var x = XmlWriter.Create(stream, new XmlWriterSettings { NewLineHandling = NewLineHandling.Entitize });
        x.WriteStartElement("c", "chartSpace", C);
        x.WriteAttributeString("xmlns", "a", null, A);
        x.WriteAttributeString("xmlns", "r", null, R);
        Val(x, "roundedCorners", "0");
        x.WriteStartElement("chart", C);
        Title(x, chart.Title);
        Val(x, "autoTitleDeleted", "0");
        x.WriteStartElement("plotArea", C);
        x.WriteElementString("layout", C, "");
        var element = chart.Kind switch { ChartKind.Line => "lineChart", ChartKind.Column => "barChart", _ => "doughnutChart" };
        x.WriteStartElement(element, C);
        if (chart.Kind == ChartKind.Column)
        {
            Val(x, "barDir", "col");
        }

        if (chart.Kind != ChartKind.Doughnut)
        {
            Val(x, "grouping", chart.Kind == ChartKind.Line ? "standard" : "clustered");
        }

        Val(x, "varyColors", chart.Kind == ChartKind.Doughnut ? "1" : "0");
        foreach (var (column, i) in chart.ValueColumns.Select((c, i) => (c, i)))
        {
            Series(x, chart, table, place, column, i);
        }

        ChartTail(x, chart.Kind);
        x.WriteEndElement();
        if (chart.Kind != ChartKind.Doughnut)
        {
            Axes(x, table.Columns[chart.CategoryColumn].Kind, table.Columns[chart.ValueColumns[0]].Kind);
        }

        x.WriteEndElement();
        x.WriteStartElement("legend", C);
        Val(x, "legendPos", "b");
        Val(x, "overlay", "0");
        x.WriteEndElement();
        Val(x, "plotVisOnly", "1");
        Val(x, "dispBlanksAs", "gap");
        x.WriteEndElement();
        x.WriteEndElement();
    }

    private static void ChartTail(XmlWriter x, ChartKind kind)
    {
        switch (kind)
        {
            case ChartKind.Line:
                Val(x, "marker", "1");
                break;
            case ChartKind.Column:
                Val(x, "gapWidth", "80");
                break;
            default:
                Val(x, "firstSliceAng", "0");
                Val(x, "holeSize", "50");
                return;
        }

        Val(x, "axId", "1");
        Val(x, "axId", "2");
    }

    private static void Series(XmlWriter x, ReportChart chart, ReportTable table, TablePlace place, int column, int index)
    {
        x.WriteStartElement("ser", C);
        Val(x, "idx", index.ToString(CultureInfo.InvariantCulture));
        Val(x, "order", index.ToString(CultureInfo.InvariantCulture));
        x.WriteStartElement("tx", C);
        StringReference(x, Range(place, column, header: true), [FormattedSheets.UniqueHeaders(table.Columns)[column]]);
        x.WriteEndElement();
        if (chart.Kind == ChartKind.Line)
        {
            x.WriteStartElement("marker", C);
            Val(x, "symbol", "none");
            x.WriteEndElement();
        }
        else if (chart.Kind == ChartKind.Column)
        {
            Val(x, "invertIfNegative", "0");
        }

        x.WriteStartElement("cat", C);
        var categories = table.Rows.Select(r => r[chart.CategoryColumn]).ToList();
        if (table.Columns[chart.CategoryColumn].Kind == ColumnKind.Text)
        {
            StringReference(x, Range(place, chart.CategoryColumn, header: false), [.. categories.Select(c => c as string ?? "")]);
        }
        else
        {
            NumberReference(x, Range(place, chart.CategoryColumn, header: false), categories, FormattedSheets.Format(table.Columns[chart.CategoryColumn].Kind));
        }

        x.WriteEndElement();
        x.WriteStartElement("val", C);
        NumberReference(x, Range(place, column, header: false), [.. table.Rows.Select(r => r[column])], FormattedSheets.Format(table.Columns[column].Kind));
        x.WriteEndElement();
        if (chart.Kind == ChartKind.Line)
        {
            Val(x, "smooth", "0");
        }

        x.WriteEndElement();
    }

    private static void Axes(XmlWriter x, ColumnKind category, ColumnKind value)
    {
        x.WriteStartElement("catAx", C);
        Val(x, "axId", "1");
        Scaling(x);
        Val(x, "delete", "0");
        Val(x, "axPos", "b");
        NumberFormat(x, FormattedSheets.Format(category));
        Val(x, "tickLblPos", "low");
        Val(x, "crossAx", "2");
        Val(x, "crosses", "autoZero");
        Val(x, "auto", "1");
        Val(x, "lblAlgn", "ctr");
        Val(x, "lblOffset", "100");
        Val(x, "noMultiLvlLbl", "0");
        x.WriteEndElement();
        x.WriteStartElement("valAx", C);
        Val(x, "axId", "2");
        Scaling(x);
        Val(x, "delete", "0");
        Val(x, "axPos", "l");
        x.WriteElementString("majorGridlines", C, "");
        NumberFormat(x, value == ColumnKind.Percent ? "0%" : FormattedSheets.Format(value));
        Val(x, "tickLblPos", "nextTo");
        Val(x, "crossAx", "1");
        Val(x, "crosses", "autoZero");
        Val(x, "crossBetween", "between");
        x.WriteEndElement();
    }

    private static void Scaling(XmlWriter x)
    {
        x.WriteStartElement("scaling", C);
        Val(x, "orientation", "minMax");
        x.WriteEndElement();
    }

    private static void NumberFormat(XmlWriter x, string format)
    {
        x.WriteStartElement("numFmt", C);
        x.WriteAttributeString("formatCode", format);
        x.WriteAttributeString("sourceLinked", "1");
        x.WriteEndElement();
    }

    /// <summary>'Sheet'!$B$4:$B$63 (or the header cell): the range a series reads.</summary>
    private static string Range(TablePlace place, int column, bool header)
    {
        var letter = WorkbookAssembler.ColumnName(place.FirstColumn - 1 + column);
        var sheet = $"'{place.Sheet.Replace("'", "''", StringComparison.Ordinal)}'";
        return header ? $"{sheet}!${letter}${place.HeaderRow}" : $"{sheet}!${letter}${place.HeaderRow + 1}:${letter}${place.LastRow}";
    }

    private static void StringReference(XmlWriter x, string formula, IReadOnlyList<string> cache)
    {
        x.WriteStartElement("strRef", C);
        x.WriteElementString("f", C, formula);
        x.WriteStartElement("strCache", C);
        Val(x, "ptCount", cache.Count.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < cache.Count; i++)
        {
            x.WriteStartElement("pt", C);
            x.WriteAttributeString("idx", i.ToString(CultureInfo.InvariantCulture));
            x.WriteElementString("v", C, CellText.Escape(cache[i]));
            x.WriteEndElement();
        }

        x.WriteEndElement();
        x.WriteEndElement();
    }

    private static void NumberReference(XmlWriter x, string formula, IReadOnlyList<object?> cache, string format)
    {
        x.WriteStartElement("numRef", C);
        x.WriteElementString("f", C, formula);
        x.WriteStartElement("numCache", C);
        x.WriteElementString("formatCode", C, format);
        Val(x, "ptCount", cache.Count.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < cache.Count; i++)
        {
            if (WorkbookAssembler.Number(cache[i]) is not { } number)
            {
                continue;
            }

            x.WriteStartElement("pt", C);
            x.WriteAttributeString("idx", i.ToString(CultureInfo.InvariantCulture));
            x.WriteElementString("v", C, number.ToString("R", CultureInfo.InvariantCulture));
            x.WriteEndElement();
        }

        x.WriteEndElement();
        x.WriteEndElement();
    }

    private static void Title(XmlWriter x, string title)
    {
        x.WriteStartElement("title", C);
        x.WriteStartElement("tx", C);
        x.WriteStartElement("rich", C);
        x.WriteElementString("bodyPr", A, "");
        x.WriteStartElement("p", A);
        x.WriteStartElement("r", A);
        x.WriteElementString("t", A, title);
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteEndElement();
        Val(x, "overlay", "0");
        x.WriteEndElement();
    }

    private static void Val(XmlWriter x, string name, string value)
    {
        x.WriteStartElement(name, C);
        x.WriteAttributeString("val", value);
        x.WriteEndElement();
    }

    /// <summary>One chart's anchor in the drawing: <see cref="Columns"/> by <see cref="Rows"/> cells from (column, row), 0-based.</summary>
    public static string Anchor(string relationshipId, int index, int column, int row) => string.Create(CultureInfo.InvariantCulture, $"""
        <xdr:twoCellAnchor editAs="oneCell"><xdr:from><xdr:col>{column}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{column + Columns}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row + Rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{index + 2}" name="Chart {index + 1}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="{C}"><c:chart xmlns:c="{C}" xmlns:r="{R}" r:id="{relationshipId}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>
        """);

    public static void WriteDrawing(Stream stream, IEnumerable<string> anchors)
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
        writer.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xdr:wsDr xmlns:xdr="{Xdr}" xmlns:a="{A}">""");
        foreach (var anchor in anchors)
        {
            writer.Write(anchor);
        }

        writer.Write("</xdr:wsDr>");
    }
}
