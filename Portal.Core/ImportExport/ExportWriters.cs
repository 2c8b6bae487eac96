using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Portal.Core.Labeling;

namespace Portal.Core.ImportExport;

/// <summary>One result of a task as exported: an annotation (with its id) or the task's ground truth (no id).</summary>
public sealed record ExportedResult(long? Id, string Annotator, AnnotationResult Value, DateTime? Created, DateTime? Updated, long LeadTimeMs, string Status)
{
    /// <summary>The person's real e-mail; null when the export leaves people out (Label Studio then gives the annotation to whoever imports it).</summary>
    public string? Email { get; init; }

    /// <summary>What Label Studio said that Portal does not hold (<see cref="LabelStudioSource"/>), for an imported result.</summary>
    public string? LabelStudioJson { get; init; }
}

public sealed record ExportedPrediction(string ModelVersion, double? Score, string ResultJson)
{
    public string? LabelStudioJson { get; init; }
}

public sealed record ExportedTask(
    long Id, string? ExternalId, string Text, string? MetadataJson, IReadOnlyList<ExportedResult> Results, IEnumerable<ExportedPrediction> Predictions)
{
    /// <summary>An imported task's Label Studio id type and text field (see <see cref="TaskRecord.LabelStudioJson"/>).</summary>
    public string? LabelStudioJson { get; init; }
}

/// <summary>Label names by key (the newest name across the project's versions), for results of any age.</summary>
public sealed class ExportLabelNames(IReadOnlyDictionary<Guid, string> names)
{
    public string Name(Guid key) => names.GetValueOrDefault(key, key.ToString());
}

/// <summary>Writes one export format: a start, one call per exported task, an end.</summary>
public abstract class ExportWriter(TextWriter writer, ExportLabelNames names)
{
    protected TextWriter Writer { get; } = writer;

    protected ExportLabelNames Names { get; } = names;

    /// <summary>The format carries each task's predictions (reading them costs a query a page).</summary>
    public virtual bool WritesPredictions => false;

    public virtual Task StartAsync() => Task.CompletedTask;

    public abstract Task WriteAsync(ExportedTask task);

    public virtual Task EndAsync() => Task.CompletedTask;
}

/// <summary>Label Studio JSON: one array of tasks with "annotations" and "predictions", as Label Studio exports.</summary>
public sealed class LabelStudioJsonWriter(TextWriter writer, ExportLabelNames names) : ExportWriter(writer, names), IDisposable
{
    private readonly LabelStudioTaskJson json = new(names);
    private bool first = true;

    public override bool WritesPredictions => true;

    public override async Task StartAsync() => await Writer.WriteAsync('[');

    public override async Task WriteAsync(ExportedTask task)
    {
        var text = json.Write(task);
        await Writer.WriteAsync(first ? "\n" : ",\n");
        first = false;
        await Writer.WriteAsync(text);
    }

    public override async Task EndAsync() => await Writer.WriteAsync(first ? "]\n" : "\n]\n");

    public void Dispose() => json.Dispose();
}

/// <summary>JSON Lines: one Label Studio task per line.</summary>
public sealed class JsonlExportWriter(TextWriter writer, ExportLabelNames names) : ExportWriter(writer, names), IDisposable
{
    private readonly LabelStudioTaskJson json = new(names);

    public override bool WritesPredictions => true;

    public override async Task WriteAsync(ExportedTask task)
    {
        await Writer.WriteAsync(json.Write(task));
        await Writer.WriteAsync('\n');
    }

    public void Dispose() => json.Dispose();
}

/// <summary>CSV: one row per result (a task without results still gets one row), cells spreadsheet-safe.</summary>
public sealed class CsvExportWriter(TextWriter writer, ExportLabelNames names) : ExportWriter(writer, names)
{
    // Text as written (not \u-escaped): the cells are JSON for tools, never embedded in HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override async Task StartAsync() => await Writer.WriteAsync("task_id,external_id,text,annotator,status,result_kind,spans,answers\n");

    public override async Task WriteAsync(ExportedTask task)
    {
        foreach (var r in task.Results.DefaultIfEmpty())
        {
            var line = string.Join(',', new[]
            {
                task.Id.ToString(CultureInfo.InvariantCulture), task.ExternalId, task.Text, r?.Annotator, r?.Status, r is null ? "" : r.Id is null ? "ground_truth" : "annotation",
                r is null ? "" : JsonSerializer.Serialize(r.Value.Spans.Select(s => new { s.Start, s.End, text = task.Text[s.Start..s.End], label = Names.Name(s.Label) }), Json),
                r is null ? "" : JsonSerializer.Serialize(r.Value.Answers.Select(a => new { question = a.Control, answer = Names.Name(a.Label) }), Json),
            }.Select(Csv.Cell));
            await Writer.WriteAsync(line + "\n");
        }
    }
}

/// <summary>CoNLL-2003 with IOB2 tags: one document per result (see <see cref="ConllExport"/>).</summary>
/// <param name="unannotatedAsO">
/// A task without results gets one document with every token tagged O, as Label Studio's converter writes a task
/// without annotations; otherwise it is left out.
/// </param>
public sealed class ConllExportWriter(TextWriter writer, ExportLabelNames names, bool unannotatedAsO = false) : ExportWriter(writer, names)
{
    public override Task StartAsync()
    {
        ConllExport.WriteHeader(Writer);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ExportedTask task)
    {
        foreach (var r in task.Results)
        {
            ConllExport.WriteDocument(Writer, task.Text, r.Value.Spans.Select(s => new ConllSpan(s.Start, s.End, Names.Name(s.Label))));
        }

        if (unannotatedAsO && task.Results.Count == 0)
        {
            ConllExport.WriteDocument(Writer, task.Text, []);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// One task as Label Studio writes it (id, data, annotations, predictions, meta), written with a
/// <see cref="Utf8JsonWriter"/> into a reused buffer: several times faster than serializing dictionaries.
/// </summary>
public sealed class LabelStudioTaskJson : IDisposable
{
    private readonly ArrayBufferWriter<byte> bytes = new(4096);
    private readonly Utf8JsonWriter json;
    private readonly ExportLabelNames names;

    public LabelStudioTaskJson(ExportLabelNames names)
    {
        this.names = names;

        // Text as written (not \u-escaped): the file is JSON for tools, never embedded in HTML.
        json = new Utf8JsonWriter(bytes, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string Write(ExportedTask task)
    {
        bytes.ResetWrittenCount();
        json.Reset(bytes);
        json.WriteStartObject();
        json.WriteNumber("id", task.Id);
        var (externalId, textField) = TaskSource(task.LabelStudioJson);
        WriteData(task.Text, task.MetadataJson, textField);
        json.WriteStartArray("annotations");
        foreach (var r in task.Results)
        {
            WriteResult(r, task.Text);
        }

        json.WriteEndArray();
        json.WriteStartArray("predictions");
        foreach (var p in task.Predictions)
        {
            var source = LabelStudioSource.Parse(p.LabelStudioJson);
            json.WriteStartObject();
            if (source.Id is { } id)
            {
                json.WritePropertyName("id");
                id.WriteTo(json);
            }

            json.WriteString("model_version", p.ModelVersion);
            WriteOrNull("score", p.Score, json.WriteNumber);
            WriteRegions(AnnotationResult.FromJson(p.ResultJson), task.Text, source);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        // Always written, null for a task without an id of its own: the top-level id is Portal's, and a re-import of
        // this file must not take it for the task's id (it finds the task by its text instead).
        json.WriteStartObject("meta");
        json.WritePropertyName("external_id");
        if (task.ExternalId is null)
        {
            json.WriteNullValue();
        }
        else
        {
            if (externalId is { } number)
            {
                // Label Studio's own numeric task id goes back as a number.
                number.WriteTo(json);
            }
            else
            {
                json.WriteStringValue(task.ExternalId);
            }
        }

        json.WriteEndObject();

        json.WriteEndObject();
        json.Flush();
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    public void Dispose() => json.Dispose();

    /// <summary>A numeric Label Studio task id (null when the id was a string) and the task's text field.</summary>
    internal static (JsonElement? Id, string TextField) TaskSource(string? labelStudioJson)
    {
        if (labelStudioJson is null)
        {
            return (null, "text");
        }

        using var document = JsonDocument.Parse(labelStudioJson);
        var root = document.RootElement;
        return (root.TryGetProperty("id", out var id) ? id.Clone() : null,
            root.TryGetProperty("text_field", out var field) && field.GetString() is { Length: > 0 } name ? name : "text");
    }

    private void WriteData(string text, string? metadataJson, string textField)
    {
        json.WriteStartObject("data");
        json.WriteString(textField, text);
        if (metadataJson is not null)
        {
            using var metadata = JsonDocument.Parse(metadataJson);
            foreach (var property in metadata.RootElement.EnumerateObject().Where(p => p.Name != textField))
            {
                property.WriteTo(json);
            }
        }

        json.WriteEndObject();
    }

    private void WriteResult(ExportedResult r, string text)
    {
        var source = LabelStudioSource.Parse(r.LabelStudioJson);
        json.WriteStartObject();
        if (source.Id is { } id)
        {
            // The id Label Studio gave it, so a round trip keeps it.
            json.WritePropertyName("id");
            id.WriteTo(json);
        }
        else
        {
            WriteOrNull("id", r.Id, json.WriteNumber);
        }

        // Label Studio's importer takes completed_by as {"email"} of a member; without people, it is left out and
        // Label Studio gives the annotation to the importing user (tasks/serializers.py, _insert_valid_completed_by).
        if (r.Email is { } email)
        {
            json.WriteStartObject("completed_by");
            json.WriteString("email", email);
            json.WriteEndObject();
        }

        WriteRegions(r.Value, text, source);
        json.WriteBoolean("was_cancelled", false);
        json.WriteBoolean("ground_truth", r.Id is null);
        WriteOrNull("created_at", r.Created, json.WriteString);
        WriteOrNull("updated_at", r.Updated, json.WriteString);
        json.WriteNumber("lead_time", r.LeadTimeMs / 1000.0);
        json.WriteEndObject();
    }

    /// <summary>A value, or null when there is none (Label Studio writes the property either way).</summary>
    private void WriteOrNull<T>(string name, T? value, Action<string, T> write)
        where T : struct
    {
        if (value is { } v)
        {
            write(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>
    /// "result": spans as "labels" regions, answers as one "choices" region per question, free text as "textarea"
    /// regions, with the ids and object name Label Studio gave them; relations as "relation" results naming their spans'
    /// region ids; then the results Portal kept as written (boxes, …).
    /// </summary>
    private void WriteRegions(AnnotationResult result, string text, LabelStudioSource source)
    {
        json.WriteStartArray("result");
        var i = 0;
        // Label Studio counts offsets in code points; Portal's are UTF-16 units (the same unless the text leaves the BMP).
        var codePoints = CodePoints.Differ(text);
        var ids = new Dictionary<SpanValue, string>();
        foreach (var s in result.Spans)
        {
            var id = source.RegionIds.GetValueOrDefault(LabelStudioSource.SpanKey(s)) ?? $"s{i}";
            ids.TryAdd(s, id);
            StartRegion(id, s.Control, source.ToName, "labels");
            i++;
            json.WriteNumber("start", codePoints ? CodePoints.FromUtf16(text, s.Start) : s.Start);
            json.WriteNumber("end", codePoints ? CodePoints.FromUtf16(text, s.End) : s.End);
            json.WriteString("text", s.End <= text.Length && s.Start >= 0 && s.Start <= s.End ? text.AsSpan(s.Start, s.End - s.Start) : "");
            json.WriteStartArray("labels");
            json.WriteStringValue(names.Name(s.Label));
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var group in result.Answers.GroupBy(a => a.Control))
        {
            StartRegion(source.RegionIds.GetValueOrDefault(LabelStudioSource.ChoiceKey(group.Key)) ?? $"c-{group.Key}", group.Key, source.ToName, "choices");
            json.WriteStartArray("choices");
            foreach (var answer in group)
            {
                json.WriteStringValue(names.Name(answer.Label));
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var t in result.Texts)
        {
            StartRegion(source.RegionIds.GetValueOrDefault(LabelStudioSource.TextKey(t.Control)) ?? $"t-{t.Control}", t.Control, source.ToName, "textarea");
            json.WriteStartArray("text");
            json.WriteStringValue(t.Text);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        WriteRelations(result, ids);
        foreach (var kept in source.Kept)
        {
            kept.WriteTo(json);
        }

        json.WriteEndArray();
    }

    /// <summary>Label Studio's relation shape: one link per pair of regions, its types as "labels" (relations name no question).</summary>
    private void WriteRelations(AnnotationResult result, Dictionary<SpanValue, string> ids)
    {
        foreach (var link in result.Relations.Where(r => ids.ContainsKey(r.From) && ids.ContainsKey(r.To)).GroupBy(r => (r.From, r.To)))
        {
            json.WriteStartObject();
            json.WriteString("from_id", ids[link.Key.From]);
            json.WriteString("to_id", ids[link.Key.To]);
            json.WriteString("type", "relation");
            json.WriteString("direction", "right");
            json.WriteStartArray("labels");
            foreach (var type in link.Where(r => r.Label is not null).Select(r => r.Label!.Value).Distinct())
            {
                json.WriteStringValue(names.Name(type));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    /// <summary>Opens a region and its "value"; the caller writes the value and closes both.</summary>
    private void StartRegion(string id, string from, string to, string type)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("from_name", from);
        json.WriteString("to_name", to);
        json.WriteString("type", type);
        json.WriteStartObject("value");
    }
}
