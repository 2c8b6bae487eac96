using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Core.ImportExport;

/// <summary>
/// The flat rows of Label Studio's converter (<c>label_studio_converter</c>, JSON_MIN and CSV/TSV): one per result of a
/// task, one for a task without results. A row holds the task's data fields, its id, one key per question with its
/// value(s), then <c>annotator</c>, <c>annotation_id</c>, <c>created_at</c>, <c>updated_at</c> and <c>lead_time</c>. A
/// question's value is what the converter's <c>prettify_result</c> makes of it: a list of span objects (start and end in
/// code points, text, labels); a single choice as its name, several as <c>{"choices": […]}</c>; one free-text answer as
/// its text.
/// </summary>
public static class LabelStudioMinRows
{
    /// <summary>Text as written (not \u-escaped), as the converter writes it (ensure_ascii=False).</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The task's data fields, as its Label Studio JSON export writes them.</summary>
    public static List<KeyValuePair<string, JsonNode?>> Data(ExportedTask task)
    {
        var (_, textField) = LabelStudioTaskJson.TaskSource(task.LabelStudioJson);
        var data = new List<KeyValuePair<string, JsonNode?>> { new(textField, JsonValue.Create(task.Text)) };
        if (task.MetadataJson is not null)
        {
            data.AddRange(JsonNode.Parse(task.MetadataJson)!.AsObject().Where(p => p.Key != textField).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        }

        return data;
    }

    /// <summary>Each question's value in one result, in the order the result names them.</summary>
    public static List<KeyValuePair<string, JsonNode?>> Questions(ExportedResult result, string text, ExportLabelNames names)
    {
        var values = new List<KeyValuePair<string, JsonNode?>>();
        var codePoints = CodePoints.Differ(text);
        foreach (var group in result.Value.Spans.GroupBy(s => s.Control))
        {
            values.Add(KeyValuePair.Create<string, JsonNode?>(group.Key, new JsonArray([.. group.Select(s => (JsonNode)new JsonObject
            {
                ["start"] = codePoints ? CodePoints.FromUtf16(text, s.Start) : s.Start,
                ["end"] = codePoints ? CodePoints.FromUtf16(text, s.End) : s.End,
                ["text"] = s.End <= text.Length && s.Start >= 0 && s.Start <= s.End ? text[s.Start..s.End] : "",
                ["labels"] = new JsonArray(JsonValue.Create(names.Name(s.Label))),
            })])));
        }

        foreach (var group in result.Value.Answers.GroupBy(a => a.Control))
        {
            var choices = group.Select(a => names.Name(a.Label)).ToList();
            values.Add(KeyValuePair.Create<string, JsonNode?>(group.Key,
                choices.Count == 1 ? JsonValue.Create(choices[0]) : new JsonObject { ["choices"] = new JsonArray([.. choices.Select(c => (JsonNode)JsonValue.Create(c))]) }));
        }

        values.AddRange(Kept(LabelStudioSource.Parse(result.LabelStudioJson)).Where(k => values.All(v => v.Key != k.Key)));
        return values;
    }

    /// <summary>
    /// The results Portal keeps as written that belong to a question (free text and the like; relations have none):
    /// their values, one free-text answer as its text, as the converter does.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, JsonNode?>> Kept(LabelStudioSource source)
    {
        var regions = source.Kept
            .Where(k => k.TryGetProperty("from_name", out var f) && f.ValueKind == JsonValueKind.String && k.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Object)
            .GroupBy(k => k.GetProperty("from_name").GetString()!);
        foreach (var group in regions)
        {
            var values = group.Select(k => JsonNode.Parse(k.GetProperty("value").GetRawText())!).ToList();
            var textArea = group.All(k => k.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "textarea");
            yield return KeyValuePair.Create<string, JsonNode?>(group.Key, textArea && values is [{ } only] && only["text"] is JsonArray { Count: 1 } texts
                ? texts[0]!.DeepClone() : new JsonArray([.. values]));
        }
    }

    /// <summary>Who made a result (an e-mail, or an alias without people), its id, dates and lead time; all null for a task without results.</summary>
    public static List<KeyValuePair<string, JsonNode?>> About(ExportedResult? result)
    {
        JsonNode? id = null;
        if (result is not null)
        {
            id = LabelStudioSource.Parse(result.LabelStudioJson).Id is { } kept ? JsonNode.Parse(kept.GetRawText()) : result.Id is { } own ? JsonValue.Create(own) : null;
        }

        return
        [
            new("annotator", result is null ? null : JsonValue.Create(result.Annotator)),
            new("annotation_id", id),
            new("created_at", result?.Created is { } created ? JsonValue.Create(created) : null),
            new("updated_at", result?.Updated is { } updated ? JsonValue.Create(updated) : null),
            new("lead_time", result is null ? null : JsonValue.Create(result.LeadTimeMs / 1000.0)),
        ];
    }
}

/// <summary>Label Studio's JSON_MIN: one array of flat objects, one per result (a task without results still gets one).</summary>
public sealed class JsonMinExportWriter(TextWriter writer, ExportLabelNames names) : ExportWriter(writer, names)
{
    private bool first = true;

    public override async Task StartAsync() => await Writer.WriteAsync('[');

    public override async Task WriteAsync(ExportedTask task)
    {
        var data = LabelStudioMinRows.Data(task);
        foreach (var result in task.Results.DefaultIfEmpty())
        {
            // As the converter builds it: the data, the task id, the questions (a question named like a data field replaces it), then who and when.
            var row = new JsonObject();
            foreach (var (key, value) in data.Append(new("id", task.Id))
                .Concat(result is null ? [] : LabelStudioMinRows.Questions(result, task.Text, Names)).Concat(LabelStudioMinRows.About(result)))
            {
                row[key] = value?.DeepClone();
            }

            await Writer.WriteAsync(first ? "\n" : ",\n");
            first = false;
            await Writer.WriteAsync(row.ToJsonString(LabelStudioMinRows.Json));
        }
    }

    public override async Task EndAsync() => await Writer.WriteAsync(first ? "]\n" : "\n]\n");
}

/// <summary>
/// Label Studio's TSV (its converter's CSV writer with a tab): a header of every column in ordinal order, then one row per
/// result; text cells quoted (doubled quotes inside), numbers bare, empty for none, JSON for lists and objects. Cells a
/// spreadsheet would run as a formula get a leading apostrophe, as in the CSV export. The columns are known only at
/// the end, so rows wait in a temporary file (memory stays flat however large the project).
/// </summary>
public sealed class TsvExportWriter(TextWriter writer, ExportLabelNames names) : ExportWriter(writer, names), IDisposable
{
    private readonly SortedSet<string> columns = new(StringComparer.Ordinal) { "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "was_cancelled" };
    private FileStream? spool;
    private StreamWriter? rows;

    public override Task StartAsync()
    {
        spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        rows = new StreamWriter(spool, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        return Task.CompletedTask;
    }

    public override async Task WriteAsync(ExportedTask task)
    {
        var data = LabelStudioMinRows.Data(task);
        foreach (var result in task.Results.DefaultIfEmpty())
        {
            // As the converter's CSV writer builds it: the questions first, then the data (a data field named like a question replaces it).
            var row = new Dictionary<string, string>(StringComparer.Ordinal) { ["id"] = task.Id.ToString(CultureInfo.InvariantCulture) };
            foreach (var (key, value) in (result is null ? [] : LabelStudioMinRows.Questions(result, task.Text, Names)).Concat(data).Concat(LabelStudioMinRows.About(result)))
            {
                row[key] = Cell(value);
            }

            row["was_cancelled"] = result is null ? "" : "False";
            columns.UnionWith(row.Keys);
            await rows!.WriteLineAsync(JsonSerializer.Serialize(row, LabelStudioMinRows.Json));
        }
    }

    public override async Task EndAsync()
    {
        await Writer.WriteAsync(string.Join('\t', columns.Select(c => Quote(c))) + "\r\n");
        await rows!.FlushAsync();
        spool!.Position = 0;
        using var reader = new StreamReader(spool, Encoding.UTF8, false, 1 << 16, leaveOpen: true);
        while (await reader.ReadLineAsync() is { } line)
        {
            var row = JsonSerializer.Deserialize<Dictionary<string, string>>(line, LabelStudioMinRows.Json)!;
            await Writer.WriteAsync(string.Join('\t', columns.Select(c => row.GetValueOrDefault(c, ""))) + "\r\n");
        }
    }

    public void Dispose()
    {
        rows?.Dispose();
        spool?.Dispose();
    }

    /// <summary>A value as its cell: text quoted, numbers bare, none empty, lists and objects as compact JSON text.</summary>
    private static string Cell(JsonNode? value) => value switch
    {
        null => "",
        // Through its JSON: a date is a string in JSON but not a string value to read.
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(JsonSerializer.Deserialize<string>(v.ToJsonString())!),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "True" : "False",
        _ => Quote(value.ToJsonString(LabelStudioMinRows.Json)),
    };

    private static string Quote(string text) => $"\"{Csv.Defuse(text).Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
