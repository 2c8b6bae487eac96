using System.Text;
using System.Text.Json;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;

namespace Portal.Tests.Core.ImportExport;

/// <summary>Label Studio's flat JSON-MIN and TSV (as its converter writes them) and the all-O CoNLL option, without a database.</summary>
public class LabelStudioMinExportTests
{
    private static readonly Guid Org = Guid.NewGuid();
    private static readonly Guid Late = Guid.NewGuid();
    private static readonly Guid Rude = Guid.NewGuid();
    private static readonly ExportLabelNames Names = new(new Dictionary<Guid, string> { [Org] = "ORG", [Late] = "late delivery", [Rude] = "rude staff" });

    // An emoji and a CJK Ext-B character before the span: its code-point offsets differ from the UTF-16 ones.
    private const string Text = "\U0001F69A\U0001F4A8 \U00020BB7 Parcelio lost my order";

    private static readonly int Parcelio = Text.IndexOf("Parcelio", StringComparison.Ordinal);

    private static readonly ExportedResult Tom = new(
        7, "tom@example.com", new AnnotationResult([new SpanValue("org", Org, Parcelio, Parcelio + 8)], [new AnswerValue("reason", Late)]),
        new DateTime(2026, 3, 2, 9, 30, 0, DateTimeKind.Utc), new DateTime(2026, 3, 2, 9, 31, 0, DateTimeKind.Utc), 4500, "submitted")
    {
        // Imported from Label Studio: its own id, and a free-text answer Portal keeps as written.
        LabelStudioJson = """{"id":9001,"regions":{},"kept":[{"id":"n1","from_name":"note","to_name":"text","type":"textarea","value":{"text":["=SUM(A1) was typed"]}}]}""",
    };

    private static readonly ExportedResult Una = new(
        8, "una@example.com", new AnnotationResult([], [new AnswerValue("reason", Late), new AnswerValue("reason", Rude)]), null, null, 0, "submitted");

    private static readonly ExportedTask Annotated = new(1, "lsx-1", Text, """{"channel":"app","tags":["a","b"]}""", [Tom, Una], []);

    private static readonly ExportedTask Unlabeled = new(2, null, "-5 stars\tno \"reply\"", null, [], []);

    private static async Task<string> WriteAsync(ExportWriter writer, StringWriter text, params ExportedTask[] tasks)
    {
        await writer.StartAsync();
        foreach (var task in tasks)
        {
            await writer.WriteAsync(task);
        }

        await writer.EndAsync();
        (writer as IDisposable)?.Dispose();
        return text.ToString();
    }

    [Fact]
    public async Task JsonMin_IsOneFlatObjectPerResult_WithCodePointOffsets_PrettifiedValues_AndATaskWithoutResults()
    {
        await using var text = new StringWriter();

        var json = await WriteAsync(new JsonMinExportWriter(text, Names), text, Annotated, Unlabeled);

        using var document = JsonDocument.Parse(json);
        var rows = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        var tom = rows[0];
        Assert.Equal(Text, tom.GetProperty("text").GetString());
        Assert.Equal(("app", 1L), (tom.GetProperty("channel").GetString(), tom.GetProperty("id").GetInt64()));
        Assert.Equal(2, tom.GetProperty("tags").GetArrayLength());
        var span = tom.GetProperty("org")[0];
        // Code points: the lorry, the dash and the Ext-B character are one each.
        Assert.Equal((5, 13, "Parcelio"), (span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32(), span.GetProperty("text").GetString()));
        Assert.Equal("Parcelio", string.Concat(Text.EnumerateRunes().Skip(5).Take(8)));
        Assert.Equal("ORG", span.GetProperty("labels")[0].GetString());
        Assert.Equal("late delivery", tom.GetProperty("reason").GetString());
        Assert.Equal("=SUM(A1) was typed", tom.GetProperty("note").GetString());
        Assert.Equal(("tom@example.com", 9001, 4.5), (tom.GetProperty("annotator").GetString(), tom.GetProperty("annotation_id").GetInt32(), tom.GetProperty("lead_time").GetDouble()));
        Assert.Equal("2026-03-02T09:30:00Z", tom.GetProperty("created_at").GetString());
        var una = rows[1];
        Assert.Equal(["late delivery", "rude staff"], una.GetProperty("reason").GetProperty("choices").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(8, una.GetProperty("annotation_id").GetInt32());
        Assert.False(una.TryGetProperty("org", out _));
        var bare = rows[2];
        Assert.Equal((2L, JsonValueKind.Null, JsonValueKind.Null), (bare.GetProperty("id").GetInt64(), bare.GetProperty("annotator").ValueKind, bare.GetProperty("annotation_id").ValueKind));
    }

    [Fact]
    public async Task JsonMin_WithoutTasks_IsAnEmptyArray()
    {
        await using var text = new StringWriter();

        Assert.Equal("[]\n", await WriteAsync(new JsonMinExportWriter(text, Names), text));
    }

    [Fact]
    public async Task Tsv_HasSortedColumns_QuotedTextCells_BareNumbers_JsonForListsAndObjects_AndIsFormulaSafe()
    {
        await using var text = new StringWriter();

        var tsv = await WriteAsync(new TsvExportWriter(text, Names), text, Annotated, Unlabeled);

        var lines = tsv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        var header = Cells(lines[0]);
        Assert.Equal(["annotation_id", "annotator", "channel", "created_at", "id", "lead_time", "note", "org", "reason", "tags", "text", "updated_at", "was_cancelled"], header);
        var tom = Row(header, lines[1]);
        Assert.Equal(("9001", "tom@example.com", "1", "4.5", "False"), (tom["annotation_id"], tom["annotator"], tom["id"], tom["lead_time"], tom["was_cancelled"]));
        Assert.Equal("late delivery", tom["reason"]);
        // A cell a spreadsheet would run as a formula gets an apostrophe.
        Assert.Equal("'=SUM(A1) was typed", tom["note"]);
        using (var spans = JsonDocument.Parse(tom["org"]))
        {
            Assert.Equal((5, 13), (spans.RootElement[0].GetProperty("start").GetInt32(), spans.RootElement[0].GetProperty("end").GetInt32()));
        }

        Assert.Equal("""["a","b"]""", tom["tags"]);
        Assert.StartsWith("\"'=SUM(A1)", lines[1].Split('\t')[header.IndexOf("note")], StringComparison.Ordinal);
        var una = Row(header, lines[2]);
        Assert.Equal("""{"choices":["late delivery","rude staff"]}""", una["reason"]);
        Assert.Equal("", una["org"]);
        var bare = Row(header, lines[3]);
        Assert.Equal(("'-5 stars\tno \"reply\"", "", "", "2"), (bare["text"], bare["annotator"], bare["was_cancelled"], bare["id"]));
    }

    [Fact]
    public async Task Conll_WritesAllODocumentsForTasksWithoutResults_OnlyWhenAsked()
    {
        await using var plain = new StringWriter();
        await using var withO = new StringWriter();
        var task = new ExportedTask(3, null, "Parcelio lost it.", null, [], []);

        var without = await WriteAsync(new ConllExportWriter(plain, Names), plain, task);
        var with = await WriteAsync(new ConllExportWriter(withO, Names, unannotatedAsO: true), withO, task);

        Assert.Equal($"{ConllExport.Header}\n", without);
        Assert.Equal($"{ConllExport.Header}\nParcelio -X- _ O\nlost -X- _ O\nit -X- _ O\n. -X- _ O\n\n", with);
    }

    /// <summary>One TSV line's cells: tab-separated, a quoted cell's doubled quotes one quote (tabs inside quotes stay).</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"' && quoted && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\t' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static Dictionary<string, string> Row(List<string> header, string line) =>
        header.Zip(Cells(line)).ToDictionary(p => p.First, p => p.Second);
}
