using System.Text;
using Portal.Core.ImportExport;

namespace Portal.Tests.Core.ImportExport;

public class TaskFileReaderTests
{
    private static async Task<List<object>> ReadAsync(byte[] bytes, TaskFileFormat format, CsvColumns? csv = null)
    {
        var items = new List<object>();
        await foreach (var item in TaskFileReader.ReadAsync(new MemoryStream(bytes), "tasks", format, csv))
        {
            items.Add(item);
        }

        return items;
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Jsonl_ReadsTextIdsAndMetadata_AndNamesEveryBadLine()
    {
        var file = Utf8("{\"text\":\"Hello\",\"id\":7,\"channel\":\"chat\"}\n\n{\"data\":{\"text\":\"Label Studio form\",\"lang\":\"de\"},\"id\":\"ls-1\"}\n{oops\n{\"text\":\"  \"}\n[1]\r\n{\"title\":\"no text\"}\n");

        var items = await ReadAsync(file, TaskFileFormat.Jsonl);

        var records = items.OfType<TaskRecord>().ToList();
        Assert.Equal(["Hello", "Label Studio form"], records.Select(r => r.Text));
        Assert.Equal(["7", "ls-1"], records.Select(r => r.ExternalId));
        Assert.Equal("{\"channel\":\"chat\"}", records[0].MetadataJson);
        Assert.Equal((1L, 3L), (records[0].Line, records[1].Line));
        Assert.Equal(
            ["tasks, line 4: json", "tasks, line 5: text", "tasks, line 6: task", "tasks, line 7: text"],
            items.OfType<TaskRowError>().Select(e => $"{e.Where}: {e.Field}"));
    }

    [Fact]
    public async Task Jsonl_BomIsDropped_InvalidUtf8IsNamed_AndTheRestIsStillRead()
    {
        var bytes = new List<byte>([0xEF, 0xBB, 0xBF]);
        bytes.AddRange(Utf8("{\"text\":\"first\"}\n{\"text\":\"bad "));
        bytes.AddRange([0xC3, 0x28]);
        bytes.AddRange(Utf8("\"}\n{\"text\":\"third\"}"));

        var items = await ReadAsync([.. bytes], TaskFileFormat.Jsonl);

        Assert.Equal(["first", "third"], items.OfType<TaskRecord>().Select(r => r.Text));
        var error = Assert.Single(items.OfType<TaskRowError>());
        Assert.Equal(2, error.Line);
        Assert.Contains("not UTF-8", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsonl_AHugeLine_IsSkippedWithAMessage_WithoutLoadingIt()
    {
        var huge = new string('x', TaskFileReader.MaxLineBytes + 10);
        var items = await ReadAsync(Utf8($"{{\"text\":\"{huge}\"}}\n{{\"text\":\"after\"}}\n"), TaskFileFormat.Jsonl);

        Assert.Contains("longer than 4 MB", Assert.Single(items.OfType<TaskRowError>()).Reason, StringComparison.Ordinal);
        Assert.Equal("after", Assert.Single(items.OfType<TaskRecord>()).Text);
    }

    [Fact]
    public async Task EmptyFiles_SaySo()
    {
        Assert.Contains("empty", Assert.IsType<TaskRowError>(Assert.Single(await ReadAsync([], TaskFileFormat.Jsonl))).Reason, StringComparison.Ordinal);
        Assert.Contains("empty array", Assert.IsType<TaskRowError>(Assert.Single(await ReadAsync(Utf8("[]"), TaskFileFormat.JsonArray))).Reason, StringComparison.Ordinal);
        Assert.Contains("not even a header", Assert.IsType<TaskRowError>(Assert.Single(await ReadAsync([], TaskFileFormat.Csv, new CsvColumns("text")))).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonArray_StreamsLabelStudioTasks_AndEndsWithABrokenPartsLine()
    {
        var good = Utf8("[\n{\"id\":1,\"data\":{\"text\":\"One\"},\"annotations\":[]},\n{\"id\":2,\"data\":{\"text\":\"Two\"}}\n]");
        var broken = Utf8("[\n{\"id\":1,\"data\":{\"text\":\"One\"}},\n{\"id\":3,\"data\": oops}\n]");

        var items = await ReadAsync(good, TaskFileFormat.JsonArray);
        var failed = await ReadAsync(broken, TaskFileFormat.JsonArray);

        Assert.Equal(["One", "Two"], items.OfType<TaskRecord>().Select(r => r.Text));
        Assert.Equal(["1", "2"], items.OfType<TaskRecord>().Select(r => r.ExternalId));
        Assert.True(items.OfType<TaskRecord>().First().Raw!.Value.TryGetProperty("annotations", out _));
        Assert.Equal("tasks, line 3 (task #2)", Assert.IsType<TaskRowError>(failed[^1]).Where);
        Assert.Equal(["One"], failed.OfType<TaskRecord>().Select(r => r.Text));
    }

    [Fact]
    public async Task JsonArray_ATaskPastTheLimit_IsSkippedWithoutBeingBuilt_AndTheNextOneStillComes()
    {
        // 24 MB of text inside one element, with brackets, commas and escaped quotes in its strings.
        var huge = "{\"data\":{\"text\":\"" + string.Concat(Enumerable.Repeat("a, [b] {c} \\\"d\\\" ", 24 * 1024 * 1024 / 18)) + "\"}}";
        var file = Utf8("\uFEFF[ {\"text\":\"first, [x]\"},\n" + huge + ",\n{\"text\":\"after\"} ]\n");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var items = await ReadAsync(file, TaskFileFormat.JsonArray);

        Assert.Equal(["first, [x]", "after"], items.OfType<TaskRecord>().Select(r => r.Text));
        var error = Assert.Single(items.OfType<TaskRowError>());
        Assert.Equal("tasks, line 2 (task #2)", error.Where);
        Assert.Contains("larger than 4 MB", error.Reason, StringComparison.Ordinal);
        // The element was never held whole: what the reader allocates is bounded by the limit (about twice 4 MB while the
        // buffer grows), not by the element (the old reader built a JsonElement of it, several times its 24 MB).
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 24L * 1024 * 1024, $"{allocated:N0} bytes allocated");
    }

    [Theory]
    [InlineData("{\"text\":\"x\"}", "must be one array")]
    [InlineData("[{\"text\":\"x\"}", "no closing ]")]
    [InlineData("[{\"text\":\"x\"", "task #1 (a bracket or quote is not closed)")]
    [InlineData("[{\"text\":\"x\"}] {}", "more after the array")]
    public async Task JsonArray_BrokenShapes_AreNamed(string json, string expected)
    {
        var items = await ReadAsync(Utf8(json), TaskFileFormat.JsonArray);
        Assert.Contains(expected, items.OfType<TaskRowError>().Last().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_QuotedCellsWithNewlines_RaggedRows_AndChosenColumns()
    {
        var file = Utf8("id,body,channel,ignored\n1,\"Hello, \"\"world\"\"\nsecond line\",chat,x\n2,too,few\n3,,email,x\n4,Last one,email,y\n");

        var items = await ReadAsync(file, TaskFileFormat.Csv, new CsvColumns("body", ["channel"], "id"));

        var records = items.OfType<TaskRecord>().ToList();
        Assert.Equal(["Hello, \"world\"\nsecond line", "Last one"], records.Select(r => r.Text));
        Assert.Equal(["1", "4"], records.Select(r => r.ExternalId));
        Assert.Equal("{\"channel\":\"chat\"}", records[0].MetadataJson);
        Assert.Equal(
            ["tasks, line 4: 3 cells where the header has 4.", "tasks, line 5: the text is empty."],
            items.OfType<TaskRowError>().Select(e => $"{e.Where}: {e.Reason}"));
    }

    [Fact]
    public async Task Csv_WithoutTheTextColumn_StopsWithTheColumnsItFound()
    {
        var error = Assert.IsType<TaskRowError>(Assert.Single(await ReadAsync(Utf8("id,message\n1,hi\n"), TaskFileFormat.Csv, new CsvColumns("text"))));

        Assert.Equal("the header has no column \"text\" for the text (columns: id, message).", error.Reason);
    }

    [Fact]
    public async Task Csv_AnUnclosedQuoteBeforeManyLines_IsReadInOnePass_AndNamesItsLine()
    {
        // Each line used to rescan the whole pending record: 80,000 lines took minutes. Now a single pass.
        var body = new StringBuilder("text,id\n\"never closed,1\n");
        for (var i = 0; i < 200_000; i++)
        {
            body.Append("more text, ").Append(i).Append('\n');
        }

        var items = await ReadAsync(Utf8(body.ToString()), TaskFileFormat.Csv, new CsvColumns("text", IdColumn: "id"));

        var error = Assert.IsType<TaskRowError>(Assert.Single(items));
        Assert.Equal(2, error.Line);
        Assert.StartsWith("unclosed quote starting at line 2", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_ARecordPastTheSizeLimit_StopsWithTheLineOfItsQuote()
    {
        var longLine = new string('x', 60_000);
        var body = new StringBuilder("text\nfine\n\"open");
        for (var i = 0; i < (TaskFileReader.MaxCsvRecordChars / longLine.Length) + 2; i++)
        {
            body.Append('\n').Append(longLine);
        }

        var items = await ReadAsync(Utf8(body.ToString()), TaskFileFormat.Csv, new CsvColumns("text"));

        Assert.IsType<TaskRecord>(items[0]);
        var error = Assert.IsType<TaskRowError>(Assert.Single(items.Skip(1)));
        Assert.Contains("unclosed quote starting at line 3", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=1+1")]
    [InlineData("@SUM(1)")]
    [InlineData("\0=1+1")]
    [InlineData("-2")]
    [InlineData("\tx")]
    public void CsvCell_GuardsEveryFormulaStart_AndUnformulaGivesTheTextBack(string text)
    {
        var cell = Csv.Cell(text);

        Assert.StartsWith("'", cell.Trim('"'), StringComparison.Ordinal);
        Assert.Equal(text, Csv.Unformula(Csv.SplitRecord(cell)!.Single()));
    }

    [Fact]
    public async Task Csv_TheExportersFormulaGuard_IsUndoneOnImport_SoARoundTripIsExact()
    {
        var texts = new[] { "@SUM(1)", "=cmd|' /C calc'!A0", "+49 40 1234", "plain 'quoted' text" };
        var file = "text\n" + string.Join("\n", texts.Select(Csv.Cell)) + "\n";

        var items = await ReadAsync(Utf8(file), TaskFileFormat.Csv, new CsvColumns("text"));

        Assert.Equal(texts, items.Cast<TaskRecord>().Select(r => r.Text));
    }

    [Fact]
    public async Task Csv_AHeaderNamingAColumnTwice_IsAClearErrorOnItsLine()
    {
        var items = await ReadAsync(Utf8("text,channel,channel\nhello,a,b\n"), TaskFileFormat.Csv, new CsvColumns("text"));

        var error = Assert.IsType<TaskRowError>(Assert.Single(items));
        Assert.Equal((1L, "channel"), (error.Line, error.Field));
        Assert.Contains("twice", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATextFieldOtherThanText_IsReadFromData_AndEveryOtherFieldIsKept_WithANumericIdsType()
    {
        var file = Utf8("""[{"id":12,"data":{"reviewText":"Great blender.","text":"title kept","overall":5}},{"id":"r2","data":{"text":"no review"}}]""");
        var items = new List<object>();
        await foreach (var item in TaskFileReader.ReadAsync(new MemoryStream(file), "reviews.json", TaskFileFormat.JsonArray, textField: TextFields.Check("$reviewText")))
        {
            items.Add(item);
        }

        var record = Assert.IsType<TaskRecord>(items[0]);
        Assert.Equal(("Great blender.", "12"), (record.Text, record.ExternalId));
        Assert.Equal("""{"text":"title kept","overall":5}""", record.MetadataJson);
        Assert.Equal("""{"id":12,"text_field":"reviewText"}""", record.LabelStudioJson);
        var error = Assert.IsType<TaskRowError>(items[1]);
        Assert.Equal("reviewText", error.Field);
        Assert.Contains("\"reviewText\"", error.Reason, StringComparison.Ordinal);
        Assert.Null(TextFields.Check(" text "));
        Assert.Throws<DataFormatException>(() => TextFields.Check("review text"));
    }

    [Fact]
    public void LabelStudioConfig_NamesTheTextField_ItsTextTagReads()
    {
        Assert.Equal("reviewText", LabelStudioConfigText("""<View><Text name="text" value="$reviewText"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>"""));
        Assert.Null(LabelStudioConfigText("""<View><Header value="No text here"/></View>"""));
    }

    private static string? LabelStudioConfigText(string xml) => Portal.Core.Taxonomy.LabelStudioConfig.TextField("config.xml", xml);
}
