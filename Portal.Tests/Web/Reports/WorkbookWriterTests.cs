using System.Text.Json;
using Portal.Core.Reports;
using Portal.Tests.TestSupport;
using Portal.Web.Reports;

namespace Portal.Tests.Web.Reports;

/// <summary>Workbooks read back by openpyxl and LibreOffice, not by the library that wrote them.</summary>
public sealed class WorkbookWriterTests
{
    /// <summary>Text people type that spreadsheets like to turn into something else.</summary>
    public static readonly string[] Tricky =
        ["00123", "Z12.31", "1E5", "TRUE", "2024-01-01", "'twas", " leading space", "=1+1", "+x", "-x", "@x", "\tx", "\rx", "a\r\nb", "trailing "];

    [Fact]
    public async Task Write_TrickyText_ReadsBackExactlyAsStrings()
    {
        var path = await WriteAsync(Spec(detailRows: 7), maxDataRows: 3);

        var book = await ExternalReaders.ReadAsync(path);

        var people = Sheet(book, "People");
        var names = Cells(people).Where(c => c.GetProperty("ref").GetString()!.StartsWith('A')).Skip(2).Take(Tricky.Length).ToList();
        Assert.Equal(Tricky, names.Select(c => c.GetProperty("value").GetString()));
        Assert.All(names, c => Assert.Equal("s", c.GetProperty("type").GetString()));
        var detail = Sheet(book, "Detail");
        var detailText = Cells(detail).Where(c => c.GetProperty("ref").GetString() is ['C', _, ..] && c.GetProperty("ref").GetString() != "C1").ToList();
        Assert.Equal(Tricky.Take(3), detailText.Select(c => c.GetProperty("value").GetString()));
        Assert.All(detailText, c => Assert.Equal("s", c.GetProperty("type").GetString()));
        Assert.DoesNotContain(book.GetProperty("sheets").EnumerateArray().SelectMany(Cells), c => c.GetProperty("type").GetString() == "f");
    }

    [Fact]
    public async Task Write_NumbersAndDates_AreTypedWithFormats()
    {
        var path = await WriteAsync(Spec(detailRows: 5), maxDataRows: 100);

        var book = await ExternalReaders.ReadAsync(path);

        var trend = Cells(Sheet(book, "Trend")).ToDictionary(c => c.GetProperty("ref").GetString()!);
        // openpyxl calls a number with a date format a date ("d"); the cell holds Excel's serial number.
        Assert.Equal("d", trend["A5"].GetProperty("type").GetString());
        Assert.Equal("2026-01-01T00:00:00", trend["A5"].GetProperty("value").GetString());
        Assert.Equal("yyyy-mm-dd", trend["A5"].GetProperty("format").GetString());
        Assert.Equal("0.0%", trend["B5"].GetProperty("format").GetString());
        Assert.Equal(0.5, trend["B5"].GetProperty("value").GetDouble(), 6);
        var detail = Cells(Sheet(book, "Detail")).ToDictionary(c => c.GetProperty("ref").GetString()!);
        Assert.Equal("n", detail["A2"].GetProperty("type").GetString());
        Assert.Equal(1000, detail["A2"].GetProperty("value").GetDouble());
        Assert.Equal("0.0%", detail["D2"].GetProperty("format").GetString());
        Assert.Equal("yyyy-mm-dd hh:mm", detail["E2"].GetProperty("format").GetString());
    }

    [Fact]
    public async Task Write_OverTheSheetSize_ContinuesOnFurtherSheetsWithTheirOwnTables()
    {
        var path = await WriteAsync(Spec(detailRows: 7), maxDataRows: 3);

        var book = await ExternalReaders.ReadAsync(path);

        Assert.Equal(["People", "Trend", "Detail", "Detail (2)", "Detail (3)"], book.GetProperty("sheets").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("A1:E4", Sheet(book, "Detail").GetProperty("tables").GetProperty("Detail").GetString());
        Assert.Equal("A1:E4", Sheet(book, "Detail (2)").GetProperty("tables").GetProperty("Detail_2").GetString());
        Assert.Equal("A1:E2", Sheet(book, "Detail (3)").GetProperty("tables").GetProperty("Detail_3").GetString());
        var ids = book.GetProperty("sheets").EnumerateArray().Where(s => s.GetProperty("name").GetString()!.StartsWith("Detail", StringComparison.Ordinal))
            .SelectMany(s => Cells(s).Where(c => c.GetProperty("ref").GetString() is ['A', _, ..] && c.GetProperty("ref").GetString() != "A1"))
            .Select(c => c.GetProperty("value").GetDouble()).ToList();
        Assert.Equal(Enumerable.Range(1000, 7).Select(i => (double)i), ids);
    }

    [Fact]
    public async Task Write_Layout_HasTablesFrozenHeadersPrintSetupChartsAndProperties()
    {
        var path = await WriteAsync(Spec(detailRows: 5), maxDataRows: 100);

        var book = await ExternalReaders.ReadAsync(path);

        Assert.Equal("Test report", book.GetProperty("title").GetString());
        Assert.Equal("Morgan Manager", book.GetProperty("creator").GetString());
        var trend = Sheet(book, "Trend");
        Assert.Equal("A4:C6", trend.GetProperty("tables").GetProperty("Trend").GetString());
        Assert.Equal("A5", trend.GetProperty("freeze").GetString());
        Assert.Equal("landscape", trend.GetProperty("orientation").GetString());
        Assert.True(trend.GetProperty("fitToPage").GetBoolean());
        Assert.Equal(1, trend.GetProperty("fitToWidth").GetInt32());
        Assert.Equal(0, trend.GetProperty("fitToHeight").GetInt32());
        Assert.Equal(["LineChart", "BarChart"], trend.GetProperty("charts").EnumerateArray().Select(c => c.GetString()));
        var people = Sheet(book, "People");
        Assert.Equal(["DoughnutChart"], people.GetProperty("charts").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains(people.GetProperty("conditional").EnumerateArray(), r => r.GetString() == $"B3:B{2 + Tricky.Length}");
        var detail = Sheet(book, "Detail");
        Assert.Equal("A2", detail.GetProperty("freeze").GetString());
        Assert.Equal("landscape", detail.GetProperty("orientation").GetString());
        Assert.True(detail.GetProperty("fitToPage").GetBoolean());
        Assert.True(detail.GetProperty("widths").GetProperty("C").GetDouble() >= "Comment".Length);
    }

    [Fact]
    public async Task Write_LibreOffice_ConvertsToPdf()
    {
        var path = await WriteAsync(Spec(detailRows: 40), maxDataRows: 100);

        var png = await ExternalReaders.RenderFirstPageAsync(path, "report-writer-sample");

        Assert.True(new FileInfo(png).Length > 1000);
    }

    [Fact]
    public void SheetSplit_ExactlyFull_StaysOnOneSheet()
    {
        Assert.Single(SheetSplit.Split("Detail", "Detail", SheetSplit.MaxDataRows));
        Assert.Equal([SheetSplit.MaxDataRows, 1L], SheetSplit.Split("Detail", "Detail", SheetSplit.MaxDataRows + 1L).Select(p => p.Rows));
    }

    private static async Task<string> WriteAsync(WorkbookSpec spec, int maxDataRows)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("report").FullName, "report.xlsx");
        await using (var file = File.Create(path))
        {
            await WorkbookWriter.WriteAsync(spec, file, null, maxDataRows, CancellationToken.None);
        }

        return path;
    }

    private static WorkbookSpec Spec(int detailRows)
    {
        var people = new ReportTable("People", "People and their tricky names", [new("Name", ColumnKind.Text), new("Score", ColumnKind.Percent)],
            [.. Tricky.Select((t, i) => new object?[] { t, i / 20.0 })], "Nobody") { ColorScale = true };
        var trend = new ReportTable("Trend", "Agreement per day", [new("Day", ColumnKind.Date), new("Agreement", ColumnKind.Percent), new("Tasks", ColumnKind.Count)],
            [new object?[] { new DateOnly(2026, 1, 1), 0.5, 10 }, new object?[] { new DateOnly(2026, 1, 2), 0.75, 12 }], "No days");
        var sheets = new[]
        {
            new ReportSheet("People", [], [people], [new ReportChart(ChartKind.Doughnut, "Scores", "People", 0, [1])]),
            new ReportSheet("Trend", ["How agreement went, day by day."], [trend],
                [new ReportChart(ChartKind.Line, "Agreement", "Trend", 0, [1]), new ReportChart(ChartKind.Column, "Tasks", "Trend", 0, [2])]),
        };
        ReportColumn[] columns = [new("Task", ColumnKind.Id), new("External id", ColumnKind.Text), new("Comment", ColumnKind.Text), new("Agreement", ColumnKind.Percent), new("Decided", ColumnKind.DateTime)];
        var detail = new DetailSheet("Detail", "Detail", columns, detailRows, Rows(detailRows));
        return new WorkbookSpec("Test report", "Tests", "Morgan Manager", new DateTime(2026, 1, 3, 12, 0, 0, DateTimeKind.Utc), sheets, detail);
    }

    private static async IAsyncEnumerable<object?[]> Rows(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return [1000L + i, $"ext-{i}", Tricky[i % Tricky.Length], i % 2 == 0 ? 0.25 : null, new DateTime(2026, 1, 2, 8, 30, 0, DateTimeKind.Utc)];
        }
    }

    private static JsonElement Sheet(JsonElement book, string name) =>
        book.GetProperty("sheets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static IEnumerable<JsonElement> Cells(JsonElement sheet) => sheet.GetProperty("cells").EnumerateArray();
}
