using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.ImportExport;

public enum ExportFormat
{
    LabelStudioJson = 1,
    Jsonl = 2,
    Csv = 3,
    Conll = 4,
}

public enum ExportFilter
{
    /// <summary>Every submitted, accepted or sent-back annotation (drafts and skips are not results).</summary>
    All = 0,

    /// <summary>Submitted and accepted work.</summary>
    Submitted = 1,

    /// <summary>Only work a reviewer accepted.</summary>
    ReviewedAccepted = 2,

    /// <summary>Only each task's ground truth.</summary>
    GroundTruth = 3,
}

public sealed record ExportOptions(ExportFormat Format, ExportFilter Filter = ExportFilter.All, bool IncludeAnnotators = true);

/// <summary>
/// Writes a project's tasks and results as Label Studio JSON (tasks with "annotations" and "predictions"), JSONL (one
/// such task per line), CSV (one row per annotation, spreadsheet-safe) or CoNLL-2003 (one document per annotation).
/// Streams task pages by key, so memory stays flat however large the project; tasks come in workflow order (open,
/// complete, in review, adjudication, done), by id within each. Without annotator identities, people
/// become "annotator-1", "annotator-2"… consistently within one export.
/// </summary>
public sealed class ExportService(IDbContextFactory<PortalDbContext> factory)
{
    private const int PageSize = 1000;

    // Text as written (not \u-escaped): the file is JSON for tools, never embedded in HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Result(long? Id, string Annotator, AnnotationResult Value, DateTime? Created, DateTime? Updated, long LeadTimeMs, string Status);

    /// <summary>
    /// Exports into a file that is complete or absent: written as "<paramref name="path"/>.partial" and renamed when
    /// every byte is there; a failed export leaves no partial file behind.
    /// </summary>
    /// <returns>The number of tasks written.</returns>
    public async Task<long> ExportToFileAsync(Guid projectId, ExportOptions options, string path, CancellationToken ct, IProgress<long>? progress = null)
    {
        var partial = path + ".partial";
        try
        {
            long count;
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                count = await ExportAsync(projectId, options, output, ct, progress);
                await output.FlushAsync(ct);
            }

            File.Move(partial, path, overwrite: true);
            return count;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <returns>The number of tasks written.</returns>
    public async Task<long> ExportAsync(Guid projectId, ExportOptions options, Stream output, CancellationToken ct, IProgress<long>? progress = null)
    {
        long visited = 0;
        await using var db = await factory.CreateDbContextAsync(ct);
        var names = await LabelNamesAsync(db, projectId, ct);
        var people = new Dictionary<Guid, string>();
        var users = await db.Users.AsNoTracking().Where(u => db.Annotations.Any(a => a.ProjectId == projectId && a.UserId == u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        string Person(Guid id) => options.IncludeAnnotators ? users.GetValueOrDefault(id, id.ToString())
            : people.TryGetValue(id, out var alias) ? alias : people[id] = $"annotator-{people.Count + 1}";

        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        using var jsonBuffer = new JsonWriterBuffer();
        var first = true;
        long count = 0;
        switch (options.Format)
        {
            case ExportFormat.LabelStudioJson:
                await writer.WriteAsync('[');
                break;
            case ExportFormat.Csv:
                await writer.WriteAsync("task_id,external_id,text,annotator,status,result_kind,spans,answers\n");
                break;
            case ExportFormat.Conll:
                ConllExport.WriteHeader(writer);
                break;
        }

        // Pages by key within each workflow state: the (ProjectId, State, Id) index serves every page without a sort
        // (a page by id alone made SQLite sort the whole project for each page).
        foreach (var state in Enum.GetValues<TaskState>())
        {
            long after = 0;
            while (true)
            {
                var tasks = await db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId && t.State == state && t.Id > after).OrderBy(t => t.Id).Take(PageSize)
                    .Select(t => new { t.Id, t.ExternalId, t.Text, t.MetadataJson }).ToListAsync(ct);
                if (tasks.Count == 0)
                {
                    break;
                }

                after = tasks[^1].Id;
                visited += tasks.Count;
                var ids = tasks.Select(t => t.Id).ToHashSet();
                long low = tasks[0].Id, high = tasks[^1].Id;
                var results = await ResultsAsync(db, ids, low, high, options.Filter, Person, ct);
                var predictions = options.Format is ExportFormat.LabelStudioJson or ExportFormat.Jsonl
                    ? (await db.Predictions.AsNoTracking().Where(p => p.TaskId >= low && p.TaskId <= high).ToListAsync(ct)).Where(p => ids.Contains(p.TaskId)).ToLookup(p => p.TaskId)
                    : Enumerable.Empty<Prediction>().ToLookup(p => p.TaskId);
                foreach (var task in tasks)
                {
                    var taskResults = results[task.Id].ToList();
                    if (options.Filter != ExportFilter.All && taskResults.Count == 0)
                    {
                        continue;
                    }

                    count++;
                    switch (options.Format)
                    {
                        case ExportFormat.LabelStudioJson or ExportFormat.Jsonl:
                            var json = LabelStudioTask(jsonBuffer, task.Id, task.ExternalId, task.Text, task.MetadataJson, taskResults, predictions[task.Id], names);
                            if (options.Format == ExportFormat.LabelStudioJson)
                            {
                                await writer.WriteAsync(first ? "\n" : ",\n");
                                first = false;
                            }

                            await writer.WriteAsync(json);
                            if (options.Format == ExportFormat.Jsonl)
                            {
                                await writer.WriteAsync('\n');
                            }

                            break;
                        case ExportFormat.Csv:
                            foreach (var r in taskResults.DefaultIfEmpty())
                            {
                                var line = string.Join(',', new[]
                                {
                                task.Id.ToString(CultureInfo.InvariantCulture), task.ExternalId, task.Text, r?.Annotator, r?.Status, r is null ? "" : r.Id is null ? "ground_truth" : "annotation",
                                r is null ? "" : JsonSerializer.Serialize(r.Value.Spans.Select(s => new { s.Start, s.End, text = task.Text[s.Start..s.End], label = names.Name(s.Control, s.Label) }), Json),
                                r is null ? "" : JsonSerializer.Serialize(r.Value.Answers.Select(a => new { question = a.Control, answer = names.Name(a.Control, a.Label) }), Json),
                            }.Select(Csv.Cell));
                                await writer.WriteAsync(line + "\n");
                            }

                            break;
                        case ExportFormat.Conll:
                            foreach (var r in taskResults)
                            {
                                ConllExport.WriteDocument(writer, task.Text, r.Value.Spans.Select(s => new ConllSpan(s.Start, s.End, names.Name(s.Control, s.Label))));
                            }

                            break;
                    }
                }

                progress?.Report(visited);
            }
        }

        if (options.Format == ExportFormat.LabelStudioJson)
        {
            await writer.WriteAsync(first ? "]\n" : "\n]\n");
        }

        await writer.FlushAsync(ct);
        return count;
    }

    /// <summary>
    /// The results of one page of tasks. Rows are read by the page's task id range (the page is in id order) with one
    /// query each for annotations, spans and answers, and kept when their task is on the page: an IN list of a
    /// thousand ids and EF's split includes were each ten times slower here.
    /// </summary>
    private static async Task<ILookup<long, Result>> ResultsAsync(PortalDbContext db, HashSet<long> ids, long first, long last, ExportFilter filter, Func<Guid, string> person, CancellationToken ct)
    {
        if (filter == ExportFilter.GroundTruth)
        {
            return (await db.GroundTruths.AsNoTracking().Where(g => g.TaskId >= first && g.TaskId <= last).ToListAsync(ct))
                .Where(g => ids.Contains(g.TaskId))
                .ToLookup(g => g.TaskId, g => new Result(null, g.DecidedById is { } d ? person(d) : "rule", AnnotationResult.FromJson(g.ResultJson), g.DecidedAt, g.DecidedAt, 0, g.Source.ToString()));
        }

        var statuses = filter switch
        {
            ExportFilter.Submitted => new[] { AnnotationStatus.Submitted, AnnotationStatus.Accepted },
            ExportFilter.ReviewedAccepted => [AnnotationStatus.Accepted],
            _ => [AnnotationStatus.Submitted, AnnotationStatus.Accepted, AnnotationStatus.Rejected],
        };
        var inRange = db.Annotations.AsNoTracking().Where(a => a.TaskId >= first && a.TaskId <= last && statuses.Contains(a.Status));
        var annotations = (await inRange.Select(a => new { a.Id, a.TaskId, a.UserId, a.Status, a.CreatedAt, a.UpdatedAt, a.LeadTimeMs }).ToListAsync(ct))
            .Where(a => ids.Contains(a.TaskId)).OrderBy(a => a.Id).ToList();
        var spans = (await (from a in inRange join s in db.AnnotationSpans on a.Id equals s.AnnotationId select new { s.AnnotationId, s.ControlName, s.LabelKey, s.Start, s.End, s.Id })
            .ToListAsync(ct)).OrderBy(s => s.Id).ToLookup(s => s.AnnotationId, s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End));
        var answers = (await (from a in inRange join x in db.AnnotationAnswers on a.Id equals x.AnnotationId select new { x.AnnotationId, x.ControlName, x.LabelKey, x.Id })
            .ToListAsync(ct)).OrderBy(x => x.Id).ToLookup(x => x.AnnotationId, x => new AnswerValue(x.ControlName, x.LabelKey));
        return annotations.ToLookup(a => a.TaskId, a => new Result(a.Id, person(a.UserId), new AnnotationResult([.. spans[a.Id]], [.. answers[a.Id]]),
            a.CreatedAt, a.UpdatedAt, a.LeadTimeMs, a.Status.ToString().ToLowerInvariant()));
    }

    /// <summary>
    /// One task as Label Studio writes it (id, data, annotations, predictions, meta), written with a
    /// <see cref="Utf8JsonWriter"/> into a reused buffer: several times faster than serializing dictionaries.
    /// </summary>
    private static string LabelStudioTask(
        JsonWriterBuffer buffer, long id, string? externalId, string text, string? metadataJson, List<Result> results, IEnumerable<Prediction> predictions, LabelNames names)
    {
        var json = buffer.Start();
        json.WriteStartObject();
        json.WriteNumber("id", id);
        json.WriteStartObject("data");
        json.WriteString("text", text);
        if (metadataJson is not null)
        {
            using var metadata = JsonDocument.Parse(metadataJson);
            foreach (var property in metadata.RootElement.EnumerateObject().Where(p => p.Name != "text"))
            {
                property.WriteTo(json);
            }
        }

        json.WriteEndObject();
        json.WriteStartArray("annotations");
        foreach (var r in results)
        {
            json.WriteStartObject();
            if (r.Id is { } annotationId)
            {
                json.WriteNumber("id", annotationId);
            }
            else
            {
                json.WriteNull("id");
            }

            json.WriteStartObject("completed_by");
            json.WriteString("email", r.Annotator);
            json.WriteEndObject();
            WriteRegions(json, r.Value, text, names);
            json.WriteBoolean("was_cancelled", false);
            json.WriteBoolean("ground_truth", r.Id is null);
            WriteDate(json, "created_at", r.Created);
            WriteDate(json, "updated_at", r.Updated);
            json.WriteNumber("lead_time", r.LeadTimeMs / 1000.0);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("predictions");
        foreach (var p in predictions)
        {
            json.WriteStartObject();
            json.WriteString("model_version", p.ModelVersion);
            if (p.Score is { } score)
            {
                json.WriteNumber("score", score);
            }
            else
            {
                json.WriteNull("score");
            }

            WriteRegions(json, AnnotationResult.FromJson(p.ResultJson), text, names);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (externalId is not null)
        {
            json.WriteStartObject("meta");
            json.WriteString("external_id", externalId);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        return buffer.Finish();
    }

    private static void WriteDate(Utf8JsonWriter json, string name, DateTime? value)
    {
        if (value is { } date)
        {
            json.WriteString(name, date);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>"result": spans as "labels" regions, answers as one "choices" region per question.</summary>
    private static void WriteRegions(Utf8JsonWriter json, AnnotationResult result, string text, LabelNames names)
    {
        json.WriteStartArray("result");
        var i = 0;
        foreach (var s in result.Spans)
        {
            json.WriteStartObject();
            json.WriteString("id", $"s{i++}");
            json.WriteString("from_name", s.Control);
            json.WriteString("to_name", "text");
            json.WriteString("type", "labels");
            json.WriteStartObject("value");
            json.WriteNumber("start", s.Start);
            json.WriteNumber("end", s.End);
            json.WriteString("text", s.End <= text.Length && s.Start >= 0 && s.Start <= s.End ? text.AsSpan(s.Start, s.End - s.Start) : "");
            json.WriteStartArray("labels");
            json.WriteStringValue(names.Name(s.Control, s.Label));
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var group in result.Answers.GroupBy(a => a.Control))
        {
            json.WriteStartObject();
            json.WriteString("id", $"c-{group.Key}");
            json.WriteString("from_name", group.Key);
            json.WriteString("to_name", "text");
            json.WriteString("type", "choices");
            json.WriteStartObject("value");
            json.WriteStartArray("choices");
            foreach (var answer in group)
            {
                json.WriteStringValue(names.Name(answer.Control, answer.Label));
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>A JSON writer over one reused buffer; text as written (the file is JSON for tools, never embedded in HTML).</summary>
    private sealed class JsonWriterBuffer : IDisposable
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> bytes = new(4096);
        private readonly Utf8JsonWriter json;

        public JsonWriterBuffer() =>
            json = new Utf8JsonWriter(bytes, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        public Utf8JsonWriter Start()
        {
            bytes.ResetWrittenCount();
            json.Reset(bytes);
            return json;
        }

        public string Finish()
        {
            json.Flush();
            return Encoding.UTF8.GetString(bytes.WrittenSpan);
        }

        public void Dispose() => json.Dispose();
    }

    /// <summary>Label names by key across every version of the project (the newest name wins), for results of any age.</summary>
    private sealed class LabelNames(Dictionary<Guid, string> names)
    {
        public string Name(string control, Guid key) => names.GetValueOrDefault(key, key.ToString());
    }

    private static async Task<LabelNames> LabelNamesAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var labels = await db.Labels.AsNoTracking()
            .Where(l => db.TaxonomyVersions.Any(v => v.Id == l.TaxonomyVersionId && db.Taxonomies.Any(t => t.Id == v.TaxonomyId && t.ProjectId == projectId)))
            .Select(l => new { l.Key, l.Name, Number = db.TaxonomyVersions.Where(v => v.Id == l.TaxonomyVersionId).Select(v => v.Number).First() })
            .ToListAsync(ct);
        return new LabelNames(labels.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.MaxBy(l => l.Number)!.Name));
    }
}
