using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.ImportExport;

namespace Portal.Core.Taxonomy;

/// <summary>One label as a file row: where it came from (line or JSON position) and its fields.</summary>
public sealed record TaxonomyRow(
    string Where, string Question, string Path, string? Color, string? Hotkey, string? Description, string? Examples, string? CounterExamples, bool Deprecated, Guid? Key,
    string? Kind = null, string? Prompt = null);

/// <summary>
/// A taxonomy as a file, so teams can edit it in Excel or a script and bring it back: JSON (the whole tree) and CSV
/// (one row per label, identified by its path, or by its key when the row has one). Import is all or nothing: bad
/// rows are reported with their line numbers and nothing changes.
/// </summary>
public static class TaxonomyFile
{
    public static readonly string[] CsvHeader = ["question", "path", "color", "hotkey", "description", "examples", "counter_examples", "deprecated", "key"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record JsonLabel(string Path, string? Color, string? Hotkey, string? Description, string? Examples, string? CounterExamples, bool Deprecated, Guid? Key);

    private sealed record JsonQuestion(string Name, string? Prompt, List<JsonLabel> Labels, string? Kind = null);

    private sealed record JsonDocument(List<JsonQuestion> Questions);

    public static string WriteJson(TaxonomyModel model) => JsonSerializer.Serialize(
        new JsonDocument([.. model.Controls.Select(c => new JsonQuestion(c.Name, c.Prompt, [.. c.Labels.Select(l => new JsonLabel(
            model.PathOf(l.Key), l.Color, l.Hotkey, l.Description, l.Examples, l.CounterExamples, l.IsDeprecated, l.Key))], StartingTaxonomy.KindName(c.Kind)))]), Json);

    /// <summary>CSV for spreadsheets: every cell quoted where needed, and text that a spreadsheet would run as a formula neutralised.</summary>
    public static string WriteCsv(TaxonomyModel model)
    {
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', CsvHeader));
        foreach (var (control, label) in model.AllLabels)
        {
            csv.AppendLine(string.Join(',', new[]
            {
                control.Name, model.PathOf(label.Key), label.Color, label.Hotkey, label.Description, label.Examples, label.CounterExamples,
                label.IsDeprecated ? "yes" : "no", label.Key.ToString(),
            }.Select(Csv.Cell)));
        }

        return csv.ToString();
    }

    /// <summary>Reads a JSON or CSV file (by its name) into rows, or the problems that stop it, each with its line.</summary>
    public static (IReadOnlyList<TaxonomyRow> Rows, IReadOnlyList<string> Errors) Read(string fileName, string content)
    {
        content = content.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(content))
        {
            return ([], [$"{fileName} is empty."]);
        }

        return fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadJson(fileName, content) : ReadCsv(fileName, content);
    }

    private static (IReadOnlyList<TaxonomyRow>, IReadOnlyList<string>) ReadJson(string fileName, string content)
    {
        JsonDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<JsonDocument>(content, Json);
        }
        catch (JsonException ex)
        {
            return ([], [$"{fileName}, line {(ex.LineNumber ?? 0) + 1}: not valid JSON ({ex.Message.Split(". ")[0]})."]);
        }

        if (document?.Questions is null)
        {
            return ([], [$"{fileName}: expected an object with \"questions\", as the export writes it."]);
        }

        var rows = new List<TaxonomyRow>();
        var errors = new List<string>();
        for (var q = 0; q < document.Questions.Count; q++)
        {
            var question = document.Questions[q];
            if (question.Labels is not { Count: > 0 })
            {
                // A question without labels (free text) is still a question.
                rows.Add(new TaxonomyRow($"{fileName}, questions[{q}]", question.Name ?? "", "", null, null, null, null, null, false, null, question.Kind, question.Prompt));
            }

            for (var l = 0; l < (question.Labels?.Count ?? 0); l++)
            {
                var label = question.Labels![l];
                var where = $"{fileName}, questions[{q}].labels[{l}]";
                if (string.IsNullOrWhiteSpace(label.Path))
                {
                    errors.Add($"{where}: the label has no path.");
                    continue;
                }

                rows.Add(new TaxonomyRow(where, question.Name ?? "", label.Path, label.Color, label.Hotkey, label.Description, label.Examples, label.CounterExamples, label.Deprecated, label.Key,
                    question.Kind, question.Prompt));
            }
        }

        return (rows, errors);
    }

    private static (IReadOnlyList<TaxonomyRow>, IReadOnlyList<string>) ReadCsv(string fileName, string content)
    {
        var rows = new List<TaxonomyRow>();
        var errors = new List<string>();
        var records = ParseCsv(content, out var parseError);
        if (parseError is not null)
        {
            return ([], [$"{fileName}, {parseError}"]);
        }

        var header = records[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Column(string name) => header.IndexOf(name);
        if (Column("question") < 0 || Column("path") < 0)
        {
            return ([], [$"{fileName}, line 1: the header needs at least the columns \"question\" and \"path\" (found: {string.Join(", ", header)})."]);
        }

        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (fields.Count != header.Count)
            {
                errors.Add($"{fileName}, line {line}: {fields.Count} cells where the header has {header.Count}.");
                continue;
            }

            string? Get(string name) => Column(name) is >= 0 and var i ? Csv.Unformula(fields[i].Trim()) is { Length: > 0 } v ? v : null : null;
            var deprecated = Get("deprecated")?.ToLowerInvariant();
            if (deprecated is not (null or "yes" or "no" or "true" or "false"))
            {
                errors.Add($"{fileName}, line {line}, column \"deprecated\": write yes or no, not \"{deprecated}\".");
                continue;
            }

            Guid? key = null;
            if (Get("key") is { } k)
            {
                if (!Guid.TryParse(k, out var parsed))
                {
                    errors.Add($"{fileName}, line {line}, column \"key\": \"{k}\" is not a label key; leave it empty for a new label.");
                    continue;
                }

                key = parsed;
            }

            if (Get("path") is not { } path && Get("kind") is not { })
            {
                errors.Add($"{fileName}, line {line}, column \"path\": the label has no path.");
                continue;
            }

            // A row with a kind and no path is a question without labels (free text).
            rows.Add(new TaxonomyRow($"{fileName}, line {line}", Get("question") ?? "", Get("path") ?? "", Get("color"), Get("hotkey"), Get("description"),
                Get("examples"), Get("counter_examples"), deprecated is "yes" or "true", key, Get("kind")));
        }

        return (rows, errors);
    }

    /// <summary>RFC 4180 records with the line each starts on; quoted cells may hold commas, quotes and line breaks.</summary>
    private static List<(int Line, List<string> Fields)> ParseCsv(string content, out string? error)
    {
        error = null;
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < content.Length && content[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when cell.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(cell.ToString());
                    cell.Clear();
                    records.Add((start, fields));
                    fields = [];
                    start = ++line;
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            error = $"line {start}: a quoted cell is never closed.";
        }

        if (cell.Length > 0 || fields.Count > 0)
        {
            fields.Add(cell.ToString());
            records.Add((start, fields));
        }

        return records;
    }

    /// <summary>
    /// Applies file rows to a draft, all or nothing: rows update the label with their key, or the one at their path;
    /// a different path for a known key is a rename or a move; unknown paths are added (parents first); "deprecated"
    /// deprecates. Labels missing from the file stay as they are: a file never deletes.
    /// </summary>
    public static (TaxonomyDraft? Draft, IReadOnlyList<string> Errors) Apply(TaxonomyDraft draft, IReadOnlyList<TaxonomyRow> rows)
    {
        var errors = new List<string>();
        var result = draft;
        foreach (var row in rows)
        {
            try
            {
                result = ApplyRow(result, row);
            }
            catch (TaxonomyEditException ex)
            {
                errors.Add($"{row.Where}: {ex.Message}");
            }
        }

        if (errors.Count == 0)
        {
            errors.AddRange(result.Validate().Select(p => p.Message));
        }

        return errors.Count > 0 ? (null, errors) : (result, []);
    }

    private static TaxonomyDraft ApplyRow(TaxonomyDraft draft, TaxonomyRow row)
    {
        var question = draft.Model.Controls.FirstOrDefault(c => string.Equals(c.Name, row.Question, StringComparison.OrdinalIgnoreCase))
            ?? throw new TaxonomyEditException("Question", $"there is no question \"{row.Question}\" (questions: {string.Join(", ", draft.Model.Controls.Select(c => c.Name))}).");
        if (row.Path.Length == 0)
        {
            // A question row names a question the label set already has; a file never adds or removes questions.
            return draft;
        }

        var parts = row.Path.Split('/').Select(p => p.Trim()).ToList();
        if (parts.Any(p => p.Length == 0))
        {
            throw new TaxonomyEditException("Path", $"\"{row.Path}\" has an empty level.");
        }

        Guid? ParentOf(TaxonomyDraft d)
        {
            if (parts.Count == 1)
            {
                return null;
            }

            var parentPath = string.Join(" / ", parts[..^1]);
            var parent = d.Model.Controls.Single(c => c.Name == question.Name).Labels.FirstOrDefault(l => d.Model.PathOf(l.Key) == parentPath)
                ?? throw new TaxonomyEditException("Path", $"the parent \"{parentPath}\" is not in the label set; put its row above this one.");
            return parent.Key;
        }

        var path = string.Join(" / ", parts);
        var existing = row.Key is { } key && draft.Model.Find(key) is { } byKey ? byKey.Label
            : draft.Model.Controls.Single(c => c.Name == question.Name).Labels.FirstOrDefault(l => draft.Model.PathOf(l.Key) == path);
        if (row.Key is { } unknown && existing is null && draft.Published.Contains(unknown))
        {
            throw new TaxonomyEditException("Key", "this label was merged away in the draft; remove the row or its key.");
        }

        var result = draft;
        Guid labelKey;
        if (existing is null)
        {
            result = result.Add(question.Name, ParentOf(result), parts[^1], row.Color ?? "#9e9e9e", row.Hotkey);
            labelKey = result.Changes[^1].Key;
        }
        else
        {
            labelKey = existing.Key;
            if (draft.Model.PathOf(existing.Key) != path)
            {
                result = result.Rename(labelKey, parts[^1]).Move(labelKey, ParentOf(result));
            }
        }

        var label = result.Model.Find(labelKey)!.Value.Label;
        result = result.Describe(labelKey, row.Color ?? label.Color, row.Deprecated ? null : row.Hotkey, row.Description, row.Examples, row.CounterExamples);
        return row.Deprecated && !label.IsDeprecated ? result.Deprecate(labelKey) : result;
    }
}
