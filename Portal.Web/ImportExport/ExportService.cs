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
                var ids = tasks.Select(t => t.Id).ToList();
                var results = await ResultsAsync(db, ids, options.Filter, Person, ct);
                var predictions = options.Format is ExportFormat.LabelStudioJson or ExportFormat.Jsonl
                    ? (await db.Predictions.AsNoTracking().Where(p => ids.Contains(p.TaskId)).ToListAsync(ct)).ToLookup(p => p.TaskId)
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
                            var json = LabelStudioTask(task.Id, task.ExternalId, task.Text, task.MetadataJson, taskResults, predictions[task.Id], names);
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

    private static async Task<ILookup<long, Result>> ResultsAsync(PortalDbContext db, List<long> ids, ExportFilter filter, Func<Guid, string> person, CancellationToken ct)
    {
        if (filter == ExportFilter.GroundTruth)
        {
            return (await db.GroundTruths.AsNoTracking().Where(g => ids.Contains(g.TaskId)).ToListAsync(ct))
                .ToLookup(g => g.TaskId, g => new Result(null, g.DecidedById is { } d ? person(d) : "rule", AnnotationResult.FromJson(g.ResultJson), g.DecidedAt, g.DecidedAt, 0, g.Source.ToString()));
        }

        var statuses = filter switch
        {
            ExportFilter.Submitted => new[] { AnnotationStatus.Submitted, AnnotationStatus.Accepted },
            ExportFilter.ReviewedAccepted => [AnnotationStatus.Accepted],
            _ => [AnnotationStatus.Submitted, AnnotationStatus.Accepted, AnnotationStatus.Rejected],
        };
        var annotations = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
            .Where(a => ids.Contains(a.TaskId) && statuses.Contains(a.Status)).OrderBy(a => a.Id).ToListAsync(ct);
        return annotations.ToLookup(a => a.TaskId, a => new Result(a.Id, person(a.UserId), new AnnotationResult(
            [.. a.Spans.Select(s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End))],
            [.. a.Answers.Select(x => new AnswerValue(x.ControlName, x.LabelKey))]), a.CreatedAt, a.UpdatedAt, a.LeadTimeMs, a.Status.ToString().ToLowerInvariant()));
    }

    private static string LabelStudioTask(
        long id, string? externalId, string text, string? metadataJson, List<Result> results, IEnumerable<Prediction> predictions, LabelNames names)
    {
        var data = new Dictionary<string, object?> { ["text"] = text };
        if (metadataJson is not null && JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(metadataJson) is { } metadata)
        {
            foreach (var (key, value) in metadata)
            {
                data.TryAdd(key, value);
            }
        }

        var task = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["data"] = data,
            ["annotations"] = results.Select(r => new Dictionary<string, object?>
            {
                ["id"] = r.Id,
                ["completed_by"] = new { email = r.Annotator },
                ["result"] = Regions(r.Value, text, names),
                ["was_cancelled"] = false,
                ["ground_truth"] = r.Id is null,
                ["created_at"] = r.Created,
                ["updated_at"] = r.Updated,
                ["lead_time"] = r.LeadTimeMs / 1000.0,
            }),
            ["predictions"] = predictions.Select(p => new { model_version = p.ModelVersion, score = p.Score, result = Regions(AnnotationResult.FromJson(p.ResultJson), text, names) }),
        };
        if (externalId is not null)
        {
            task["meta"] = new { external_id = externalId };
        }

        return JsonSerializer.Serialize(task, Json);
    }

    private static IEnumerable<object> Regions(AnnotationResult result, string text, LabelNames names) =>
    [
        .. result.Spans.Select((s, i) => new
        {
            id = $"s{i}",
            from_name = s.Control,
            to_name = "text",
            type = "labels",
            value = new { start = s.Start, end = s.End, text = s.End <= text.Length ? text[s.Start..s.End] : "", labels = new[] { names.Name(s.Control, s.Label) } },
        }),
        .. result.Answers.GroupBy(a => a.Control).Select(g => new
        {
            id = $"c-{g.Key}",
            from_name = g.Key,
            to_name = "text",
            type = "choices",
            value = new { choices = g.Select(a => names.Name(a.Control, a.Label)).ToArray() },
        }),
    ];

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
