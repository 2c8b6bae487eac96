using System.Text.Json;

namespace Portal.Core.ImportExport;

/// <summary>A region of a Label Studio result: a span ("labels", UTF-16 offsets) or a document choice ("choices").</summary>
public sealed record LabelStudioRegion(string FromName, string Type, int Start, int End, IReadOnlyList<string> Values);

public sealed record LabelStudioAnnotation(string Annotator, IReadOnlyList<LabelStudioRegion> Regions);

public sealed record LabelStudioTask(string Id, string? Text, IReadOnlyList<LabelStudioAnnotation> Annotations);

public sealed record LabelStudioExport(IReadOnlyList<LabelStudioTask> Tasks, IReadOnlyList<string> Warnings);

/// <summary>
/// Reads a Label Studio JSON export (an array of tasks with <c>data</c>, <c>annotations</c> and optional
/// <c>predictions</c>). Annotators are identified by <c>completed_by</c>: its <c>email</c>, else its id. Cancelled
/// annotations are skipped. Span offsets, code points in the file, are read as UTF-16 offsets. Region types other than labels and choices are reported as warnings and skipped;
/// everything else that is wrong is an error naming the file and the task.
/// </summary>
public static class LabelStudioReader
{
    public static LabelStudioExport Read(Stream stream, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new DataFormatException($"{fileName}: line {(ex.LineNumber ?? 0) + 1}: not valid JSON ({FirstSentence(ex.Message)})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new DataFormatException($"{fileName}: expected a JSON array of tasks (a Label Studio JSON export), found {document.RootElement.ValueKind}.");
            }

            var tasks = new List<LabelStudioTask>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var skippedTypes = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var warnings = new List<string>();
            var position = 0;
            foreach (var task in document.RootElement.EnumerateArray())
            {
                position++;
                var id = task.TryGetProperty("id", out var idElement) && idElement.ValueKind is JsonValueKind.Number or JsonValueKind.String
                    ? idElement.ToString()
                    : throw new DataFormatException($"{fileName}: task #{position} has no id.");
                if (!ids.Add(id))
                {
                    throw new DataFormatException($"{fileName}: task {id}: duplicate task id.");
                }

                var text = TextOf(task);
                var annotations = new List<LabelStudioAnnotation>();
                if (task.TryGetProperty("annotations", out var annotationArray) && annotationArray.ValueKind == JsonValueKind.Array)
                {
                    foreach (var annotation in annotationArray.EnumerateArray())
                    {
                        if (annotation.TryGetProperty("was_cancelled", out var cancelled) && cancelled.ValueKind == JsonValueKind.True)
                        {
                            continue;
                        }

                        var annotator = Annotator(annotation) ?? throw new DataFormatException($"{fileName}: task {id}: an annotation has no completed_by.");
                        var regions = new List<LabelStudioRegion>();
                        if (annotation.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var region in result.EnumerateArray())
                            {
                                if (ReadRegion(region, fileName, id, text) is { } r)
                                {
                                    regions.Add(r);
                                }
                                else
                                {
                                    var type = region.TryGetProperty("type", out var t) ? t.GetString() ?? "?" : "?";
                                    skippedTypes[type] = skippedTypes.GetValueOrDefault(type) + 1;
                                }
                            }
                        }

                        annotations.Add(new LabelStudioAnnotation(annotator, regions));
                    }
                }

                tasks.Add(new LabelStudioTask(id, text, annotations));
            }

            warnings.AddRange(skippedTypes.Select(kv => $"{fileName}: skipped {kv.Value} region(s) of unsupported type \"{kv.Key}\"."));
            return new LabelStudioExport(tasks, warnings);
        }
    }

    /// <summary>The task text: data.text, else the first string in data (the object tag's value).</summary>
    private static string? TextOf(JsonElement task)
    {
        if (!task.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (data.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            return text.GetString();
        }

        return data.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => p.Value.GetString()).FirstOrDefault();
    }

    /// <summary>Who made an annotation: its <c>completed_by</c> e-mail, else its user id; null when it says nobody.</summary>
    public static string? Annotator(JsonElement annotation)
    {
        if (!annotation.TryGetProperty("completed_by", out var by))
        {
            return null;
        }

        return by.ValueKind switch
        {
            JsonValueKind.Object when by.TryGetProperty("email", out var email) && email.ValueKind == JsonValueKind.String && email.GetString() is { Length: > 0 } e => e,
            JsonValueKind.Object when by.TryGetProperty("id", out var userId) => userId.ToString(),
            JsonValueKind.Number or JsonValueKind.String => by.ToString(),
            _ => null,
        };
    }

    private static LabelStudioRegion? ReadRegion(JsonElement region, string fileName, string taskId, string? text)
    {
        var type = region.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type is not ("labels" or "choices"))
        {
            return null;
        }

        var fromName = region.TryGetProperty("from_name", out var f) && f.GetString() is { Length: > 0 } name
            ? name
            : throw new DataFormatException($"{fileName}: task {taskId}: a {type} region has no from_name.");
        if (!region.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException($"{fileName}: task {taskId}: a {type} region of \"{fromName}\" has no value.");
        }

        var values = value.TryGetProperty(type, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(v => v.GetString() ?? "").ToList()
            : throw new DataFormatException($"{fileName}: task {taskId}: a {type} region of \"{fromName}\" has no \"{type}\" list.");
        if (type == "choices")
        {
            return new LabelStudioRegion(fromName, type, 0, 0, values);
        }

        if (!value.TryGetProperty("start", out var s) || !value.TryGetProperty("end", out var e) || !s.TryGetInt32(out var start) || !e.TryGetInt32(out var end))
        {
            throw new DataFormatException($"{fileName}: task {taskId}: a span of \"{fromName}\" has no integer start and end.");
        }

        if (end <= start)
        {
            throw new DataFormatException($"{fileName}: task {taskId}: span [{start}, {end}) of \"{fromName}\" ends before it starts.");
        }

        // Label Studio's offsets are code points; the region holds UTF-16 offsets like every span inside Portal.
        if (text is null || CodePoints.SpanToUtf16(text, start, end) is not { } at)
        {
            throw new DataFormatException(
                $"{fileName}: task {taskId}: span [{start}, {end}) of \"{fromName}\" is outside the text (length {(text is null ? 0 : CodePoints.Length(text))}).");
        }

        return new LabelStudioRegion(fromName, type, at.Start, at.End, values);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}
