using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Portal.Core.ImportExport;

public enum TaskFileFormat
{
    Jsonl = 1,
    JsonArray = 2,
    Csv = 3,
}

/// <summary>Which CSV column is the text and which are kept as metadata (all others when null).</summary>
public sealed record CsvColumns(string TextColumn, IReadOnlyList<string>? MetadataColumns = null, string? IdColumn = null);

/// <summary>One task read from a file: where it was (line, or item for a JSON array), its text, id and raw JSON.</summary>
/// <param name="LabelStudioJson">What an export needs to write the task back as Label Studio had it: a numeric id's type, a text field other than "text".</param>
public sealed record TaskRecord(string Where, long Line, string? ExternalId, string Text, string? MetadataJson, JsonElement? Raw, string? LabelStudioJson = null);

/// <summary>A row that cannot become a task: where, which field, why.</summary>
public sealed record TaskRowError(string Where, long Line, string Field, string Reason);

/// <summary>
/// Streams tasks out of JSONL, a JSON array or CSV, one record or one error at a time, never holding the file: the
/// line reader works on bytes, so a line that is not UTF-8 is reported (and the rest of the file still read), and a
/// line longer than <see cref="MaxLineBytes"/> is skipped with a message instead of being loaded. A JSON object's text
/// is its "text" field (or the field named by the import), or Label Studio's "data.text"; its id is "id" or "external_id"; every other data field is kept. A JSON array with a syntax
/// error ends with that error (nothing after it can be read); tasks before it may or may not have been returned, so
/// an import treats such a file as unreadable.
/// </summary>
public static class TaskFileReader
{
    public const int MaxLineBytes = 4 * 1024 * 1024;
    public const int MaxTextChars = 1_000_000;

    /// <param name="textField">JSON: the field holding the text (Label Studio's <c>$name</c> of the Text tag); "text" when null.</param>
    public static IAsyncEnumerable<object> ReadAsync(
        Stream stream, string fileName, TaskFileFormat format, CsvColumns? csv = null, string? textField = null, CancellationToken ct = default) => format switch
    {
        TaskFileFormat.Jsonl => ReadJsonlAsync(stream, fileName, textField ?? "text", ct),
        TaskFileFormat.JsonArray => ReadJsonArrayAsync(stream, fileName, textField ?? "text", ct),
        _ => ReadCsvAsync(stream, fileName, csv ?? throw new ArgumentNullException(nameof(csv)), ct),
    };

    private static async IAsyncEnumerable<object> ReadJsonlAsync(Stream stream, string fileName, string textField, [EnumeratorCancellation] CancellationToken ct)
    {
        var any = false;
        await foreach (var line in ReadLinesAsync(stream, ct))
        {
            var where = $"{fileName}, line {line.Number}";
            if (line.Error is { } error)
            {
                yield return new TaskRowError(where, line.Number, "line", error);
                continue;
            }

            if (string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }

            any = true;
            object item;
            try
            {
                using var document = JsonDocument.Parse(line.Text);
                item = FromJson(document.RootElement, where, line.Number, textField);
            }
            catch (JsonException ex)
            {
                item = new TaskRowError(where, line.Number, "json", $"not valid JSON ({FirstSentence(ex.Message)})");
            }

            yield return item;
        }

        if (!any)
        {
            yield return new TaskRowError(fileName, 0, "file", "the file has no tasks (it is empty).");
        }
    }

    private static async IAsyncEnumerable<object> ReadJsonArrayAsync(Stream stream, string fileName, string textField, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var element in JsonArrayElements.ReadAsync(stream, MaxLineBytes, ct))
        {
            var where = element.Index == 0 ? $"{fileName}, line {element.Line}" : $"{fileName}, line {element.Line} (task #{element.Index})";
            if (element.Error is { } error)
            {
                yield return new TaskRowError(where, element.Index == 0 ? element.Line : element.Index, element.Index == 0 ? "file" : "json", error);
                continue;
            }

            object item;
            try
            {
                using var document = JsonDocument.Parse(element.Bytes);
                item = FromJson(document.RootElement, where, element.Index, textField);
            }
            catch (JsonException ex)
            {
                item = new TaskRowError(where, element.Index, "json", $"not valid JSON ({FirstSentence(ex.Message)})");
            }

            yield return item;
        }
    }

    private static object FromJson(JsonElement element, string where, long line, string textField)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new TaskRowError(where, line, "task", $"expected an object, found {element.ValueKind}.");
        }

        var data = element.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : element;
        if (!data.TryGetProperty(textField, out var textElement) || textElement.ValueKind != JsonValueKind.String)
        {
            return new TaskRowError(where, line, textField, $"the task has no \"{textField}\" (or Label Studio \"data.{textField}\") string.");
        }

        var text = textElement.GetString()!;
        if (text.Trim().Length == 0)
        {
            return new TaskRowError(where, line, "text", "the text is empty.");
        }

        if (text.Length > MaxTextChars)
        {
            return new TaskRowError(where, line, "text", $"the text has {text.Length:N0} characters; a task holds at most {MaxTextChars:N0}.");
        }

        // A portal export keeps the original id in meta.external_id (its "id" is the portal's task id).
        JsonElement idElement = default;
        var portalExport = element.TryGetProperty("meta", out var metaId) && metaId.ValueKind == JsonValueKind.Object && metaId.TryGetProperty("external_id", out idElement);
        string? id = portalExport && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number ? idElement.ToString() : null;
        // A portal export's meta.external_id is null for a task without an id of its own: its top-level id is Portal's, not the task's.
        foreach (var name in portalExport ? [] : new[] { "external_id", "id" })
        {
            if (id is null && element.TryGetProperty(name, out idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                id = idElement.ToString();
            }
        }

        // Every other data field is kept as metadata (a "text" that is not the text field too); ids and Label Studio's own fields are not.
        string[] reserved = ["id", "external_id", "annotations", "completions", "predictions", "meta", "data"];
        var metadata = new Dictionary<string, JsonElement>();
        foreach (var property in data.EnumerateObject().Where(p => p.Name != textField && !reserved.Contains(p.Name)))
        {
            metadata[property.Name] = property.Value;
        }

        if (element.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in meta.EnumerateObject().Where(p => p.Name != "external_id"))
            {
                metadata.TryAdd(property.Name, property.Value);
            }
        }

        // The whole task is kept only when it carries Label Studio results the import turns into suggestions or ground truth.
        var keep = element.TryGetProperty("predictions", out _) || element.TryGetProperty("annotations", out _) || element.TryGetProperty("completions", out _);
        return new TaskRecord(where, line, id, text, metadata.Count == 0 ? null : JsonSerializer.Serialize(metadata), keep ? element.Clone() : null, TaskSource(idElement, textField));
    }

    /// <summary>Null for the common case (a string id, the "text" field), so plain imports store nothing more.</summary>
    private static string? TaskSource(JsonElement id, string textField)
    {
        var numeric = id.ValueKind == JsonValueKind.Number;
        if (!numeric && textField == "text")
        {
            return null;
        }

        var source = new Dictionary<string, object>();
        if (numeric)
        {
            source["id"] = id;
        }

        if (textField != "text")
        {
            source["text_field"] = textField;
        }

        return JsonSerializer.Serialize(source);
    }

    /// <summary>A quoted cell may hold line breaks, but a record never grows past this many characters (the task limit and its other cells).</summary>
    public const int MaxCsvRecordChars = MaxTextChars + (64 * 1024);

    private static async IAsyncEnumerable<object> ReadCsvAsync(Stream stream, string fileName, CsvColumns columns, [EnumeratorCancellation] CancellationToken ct)
    {
        List<string>? header = null;
        var pending = new StringBuilder();
        long startLine = 0, quotes = 0;
        var any = false;
        await foreach (var line in ReadLinesAsync(stream, ct))
        {
            if (line.Error is { } error)
            {
                yield return new TaskRowError($"{fileName}, line {line.Number}", line.Number, "line", error);
                pending.Clear();
                quotes = 0;
                continue;
            }

            if (pending.Length == 0)
            {
                startLine = line.Number;
            }
            else
            {
                pending.Append('\n');
            }

            pending.Append(line.Text);
            // One pass: each line's quotes are counted once as it arrives, never the whole record again.
            quotes += line.Text!.AsSpan().Count('"');
            if (quotes % 2 != 0)
            {
                if (pending.Length > MaxCsvRecordChars)
                {
                    yield return new TaskRowError($"{fileName}, line {startLine}", startLine, "row",
                        $"unclosed quote starting at line {startLine}: the record runs past line {line.Number} without closing it.");
                    yield break;
                }

                continue;
            }

            // A cell the portal's own export guarded against formulas comes back as it was typed.
            var fields = (Csv.SplitRecord(pending.ToString()) ?? []).ConvertAll(Csv.Unformula);
            pending.Clear();
            quotes = 0;
            var where = $"{fileName}, line {startLine}";
            if (header is null)
            {
                header = [.. fields.Select(f => f.Trim())];
                if (HeaderError(header, columns, where, startLine) is { } headerError)
                {
                    yield return headerError;
                    yield break;
                }

                continue;
            }

            if (CsvRow(header, fields, columns, where, startLine) is { } row)
            {
                any = true;
                yield return row;
            }
        }

        if (pending.Length > 0)
        {
            yield return new TaskRowError($"{fileName}, line {startLine}", startLine, "row", $"unclosed quote starting at line {startLine}: a quoted cell is never closed.");
        }
        else if (header is null)
        {
            yield return new TaskRowError(fileName, 0, "file", "the file is empty (not even a header row).");
        }
        else if (!any)
        {
            yield return new TaskRowError(fileName, 0, "file", "the file has a header but no rows.");
        }
    }

    /// <summary>Why a header cannot be read (a column named twice, no text column); null when it can.</summary>
    private static TaskRowError? HeaderError(List<string> header, CsvColumns columns, string where, long line)
    {
        if (header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return new TaskRowError(where, line, twice.Key, $"the header names the column \"{twice.Key}\" twice; give each column its own name.");
        }

        return header.Contains(columns.TextColumn)
            ? null
            : new TaskRowError(where, line, columns.TextColumn, $"the header has no column \"{columns.TextColumn}\" for the text (columns: {string.Join(", ", header)}).");
    }

    /// <summary>One data row as a task or a row error; null for a blank row.</summary>
    private static object? CsvRow(List<string> header, List<string> fields, CsvColumns columns, string where, long line)
    {
        if (fields.All(string.IsNullOrWhiteSpace))
        {
            return null;
        }

        if (fields.Count != header.Count)
        {
            return new TaskRowError(where, line, "row", $"{fields.Count} cells where the header has {header.Count}.");
        }

        var text = fields[header.IndexOf(columns.TextColumn)];
        if (text.Trim().Length == 0)
        {
            return new TaskRowError(where, line, columns.TextColumn, "the text is empty.");
        }

        var id = columns.IdColumn is { } idColumn && header.IndexOf(idColumn) is >= 0 and var i && fields[i].Trim().Length > 0 ? fields[i].Trim() : null;
        var keep = columns.MetadataColumns ?? [.. header.Where(h => h != columns.TextColumn && h != columns.IdColumn)];
        var metadata = keep.Where(header.Contains).ToDictionary(k => k, k => fields[header.IndexOf(k)]);
        return new TaskRecord(where, line, id, text, metadata.Count == 0 ? null : JsonSerializer.Serialize(metadata), null);
    }

    private readonly record struct Line(long Number, string? Text, string? Error);

    /// <summary>Lines as UTF-8 text, decoded one by one so a bad line is named and skipped; a BOM is dropped.</summary>
    private static async IAsyncEnumerable<Line> ReadLinesAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        long number = 1;
        var tooLong = false;
        var first = true;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            var start = 0;
            if (first)
            {
                first = false;
                if (read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
                {
                    start = 3;
                }
            }

            for (var i = start; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                if (!tooLong)
                {
                    line.Write(buffer, start, i - start);
                    tooLong = line.Length > MaxLineBytes;
                }

                yield return Finish(number++, line, tooLong, decoder);
                line.SetLength(0);
                tooLong = false;
                start = i + 1;
            }

            if (!tooLong)
            {
                line.Write(buffer, start, read - start);
                if (line.Length > MaxLineBytes)
                {
                    tooLong = true;
                    line.SetLength(0);
                }
            }
        }

        if (line.Length > 0 || tooLong)
        {
            yield return Finish(number, line, tooLong, decoder);
        }
    }

    private static Line Finish(long number, MemoryStream bytes, bool tooLong, UTF8Encoding decoder)
    {
        if (tooLong)
        {
            return new Line(number, null, $"the line is longer than {MaxLineBytes / 1024 / 1024} MB; split it into smaller tasks.");
        }

        try
        {
            var text = decoder.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
            return new Line(number, text.EndsWith('\r') ? text[..^1] : text, null);
        }
        catch (DecoderFallbackException ex)
        {
            return new Line(number, null, $"not UTF-8 text (byte {ex.Index + 1} of the line); save the file as UTF-8.");
        }
    }

    private static string FirstSentence(string message) => message.Split(". ")[0].TrimEnd('.');
}

/// <summary>The JSON field an import reads the text from.</summary>
public static class TextFields
{
    /// <summary>The field as given (trimmed, a leading "$" of a labeling config's value dropped); null for the default "text".</summary>
    public static string? Check(string? field)
    {
        var name = field?.Trim().TrimStart('$');
        if (string.IsNullOrEmpty(name) || name == "text")
        {
            return null;
        }

        return name.Any(char.IsWhiteSpace) || name.Contains('.', StringComparison.Ordinal)
            ? throw new DataFormatException($"The text field \"{field}\" is not a field name (one name from the task's data, such as reviewText).")
            : name;
    }
}
