using System.Text.Json;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;

namespace Portal.Tests.Core.ImportExport;

/// <summary>The export formats' writers on tasks made in the test, without a database.</summary>
public class ExportWritersTests
{
    private static readonly Guid Per = Guid.NewGuid();
    private static readonly Guid Urgent = Guid.NewGuid();
    private static readonly ExportLabelNames Names = new(new Dictionary<Guid, string> { [Per] = "PER", [Urgent] = "urgent" });

    private static readonly ExportedResult Annotation = new(
        41, "ana@example.com", new AnnotationResult([new SpanValue("entities", Per, 0, 4)], [new AnswerValue("priority", Urgent)]),
        new DateTime(2025, 5, 1, 10, 0, 0, DateTimeKind.Utc), null, 2500, "submitted") { Email = "ana@example.com" };

    private static readonly ExportedTask Annotated = new(
        1, "t1", "Anna called.", """{"channel":"email"}""", [Annotation], [new ExportedPrediction("ner-3", 0.5, new AnnotationResult([new SpanValue("entities", Per, 0, 4)], []).ToJson())]);

    private static readonly ExportedTask Bare = new(2, null, "=1+1", null, [], []);

    private static async Task<string> WriteAsync(Func<TextWriter, ExportLabelNames, ExportWriter> create, params ExportedTask[] tasks)
    {
        await using var text = new StringWriter();
        var writer = create(text, Names);
        await writer.StartAsync();
        foreach (var task in tasks)
        {
            await writer.WriteAsync(task);
        }

        await writer.EndAsync();
        return text.ToString();
    }

    [Fact]
    public async Task LabelStudioJson_IsOneArrayOfTasks_WithNamesRegionsAndMeta_AndEmptyIsAnEmptyArray()
    {
        var json = await WriteAsync((w, n) => new LabelStudioJsonWriter(w, n), Annotated, Bare);
        var empty = await WriteAsync((w, n) => new LabelStudioJsonWriter(w, n));

        Assert.Equal("[]\n", empty);
        using var document = JsonDocument.Parse(json);
        var tasks = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, tasks.Count);
        var task = tasks[0];
        Assert.Equal(("Anna called.", "email", "t1"), (task.GetProperty("data").GetProperty("text").GetString(), task.GetProperty("data").GetProperty("channel").GetString(),
            task.GetProperty("meta").GetProperty("external_id").GetString()));
        var annotation = task.GetProperty("annotations")[0];
        Assert.Equal((41, "ana@example.com", 2.5, false), (annotation.GetProperty("id").GetInt64(), annotation.GetProperty("completed_by").GetProperty("email").GetString(),
            annotation.GetProperty("lead_time").GetDouble(), annotation.GetProperty("ground_truth").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, annotation.GetProperty("updated_at").ValueKind);
        var regions = annotation.GetProperty("result").EnumerateArray().ToList();
        Assert.Equal(("Anna", "PER"), (regions[0].GetProperty("value").GetProperty("text").GetString(), regions[0].GetProperty("value").GetProperty("labels")[0].GetString()));
        Assert.Equal("urgent", regions[1].GetProperty("value").GetProperty("choices")[0].GetString());
        Assert.Equal(("ner-3", 0.5), (task.GetProperty("predictions")[0].GetProperty("model_version").GetString(), task.GetProperty("predictions")[0].GetProperty("score").GetDouble()));
        Assert.Equal(JsonValueKind.Null, tasks[1].GetProperty("meta").GetProperty("external_id").ValueKind);
    }

    [Fact]
    public async Task Jsonl_IsOneTaskPerLine_TheSameTaskAsLabelStudioJson()
    {
        var jsonl = await WriteAsync((w, n) => new JsonlExportWriter(w, n), Annotated, Bare);
        var json = await WriteAsync((w, n) => new LabelStudioJsonWriter(w, n), Annotated, Bare);

        var lines = jsonl.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        Assert.Equal($"[\n{lines[0]},\n{lines[1]}\n]\n", json);
    }

    [Fact]
    public async Task Csv_IsOneRowPerResult_ATaskWithoutResultsStillHasARow_AndFormulasAreDefused()
    {
        var csv = await WriteAsync((w, n) => new CsvExportWriter(w, n), Annotated, Bare);

        var lines = csv.Split('\n');
        Assert.Equal("task_id,external_id,text,annotator,status,result_kind,spans,answers", lines[0]);
        Assert.StartsWith("1,t1,Anna called.,ana@example.com,submitted,annotation,", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"\"label\"\":\"\"PER\"\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"\"answer\"\":\"\"urgent\"\"", lines[1], StringComparison.Ordinal);
        Assert.Equal("2,,'=1+1,,,,,", lines[2]);
    }

    [Fact]
    public async Task Conll_WritesTheHeaderAndOneDocumentPerResult()
    {
        var conll = await WriteAsync((w, n) => new ConllExportWriter(w, n), Annotated, Bare);

        Assert.Equal($"{ConllExport.Header}\nAnna -X- _ B-PER\ncalled -X- _ O\n. -X- _ O\n\n", conll);
    }

    [Fact]
    public void OnlyTheLabelStudioFormats_ReadPredictions()
    {
        using var text = new StringWriter();

        Assert.True(new LabelStudioJsonWriter(text, Names).WritesPredictions);
        Assert.True(new JsonlExportWriter(text, Names).WritesPredictions);
        Assert.False(new CsvExportWriter(text, Names).WritesPredictions);
        Assert.False(new ConllExportWriter(text, Names).WritesPredictions);
    }

    [Fact]
    public async Task LabelStudioJson_WritesOffsetsInCodePoints()
    {
        const string text = "\U0001F468\U0001F3FB\u200D\U0001F692 firemen drive \U00020BB7 firetrucks";
        var start = text.IndexOf("firetrucks", StringComparison.Ordinal);
        var task = new ExportedTask(3, null, text, null, [Annotation with { Value = new AnnotationResult([new SpanValue("entities", Per, start, start + 10)], []) }], []);

        var json = await WriteAsync((w, n) => new LabelStudioJsonWriter(w, n), task);

        using var document = JsonDocument.Parse(json);
        var value = document.RootElement[0].GetProperty("annotations")[0].GetProperty("result")[0].GetProperty("value");
        Assert.Equal((21, 31, "firetrucks"), (value.GetProperty("start").GetInt32(), value.GetProperty("end").GetInt32(), value.GetProperty("text").GetString()));
        Assert.Equal("firetrucks", string.Concat(text.EnumerateRunes().Skip(21).Take(10)));
    }
}
