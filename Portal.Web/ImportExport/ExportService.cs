using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Queries;
using Portal.Data.Entities;
using Portal.Web.Common;

namespace Portal.Web.ImportExport;

public enum ExportFormat
{
    LabelStudioJson = 1,
    Jsonl = 2,
    Csv = 3,
    Conll = 4,

    /// <summary>Label Studio's JSON_MIN: one flat object per result.</summary>
    JsonMin = 5,

    /// <summary>Label Studio's TSV: one row per result.</summary>
    Tsv = 6,
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

/// <param name="TaskIds">Only these tasks (the task browser's selection); null for the whole project.</param>
/// <param name="UnannotatedAsO">CoNLL only: every task without a result goes out too, as one document with every token tagged O (as Label Studio's converter does).</param>
public sealed record ExportOptions(
    ExportFormat Format, ExportFilter Filter = ExportFilter.All, bool IncludeAnnotators = true, IReadOnlyList<long>? TaskIds = null, bool UnannotatedAsO = false)
{
    /// <summary>What is wrong with these options (field and message); null when they are fine.</summary>
    public (string Field, string Message)? Problem =>
        !Enum.IsDefined(Format) ? ("format", "Choose an export format.")
        : !Enum.IsDefined(Filter) ? ("filter", "Choose which results to export.")
        : UnannotatedAsO && Format != ExportFormat.Conll ? ("unannotatedAsO", "Tasks without results as all-O documents is an option of the CoNLL-2003 export only.")
        : null;
}

/// <summary>One export format: how it is named, the file it makes, and the writer that makes it.</summary>
public sealed record ExportFormatInfo(
    ExportFormat Format, string Key, string DisplayName, string Extension, string ContentType, Func<TextWriter, ExportLabelNames, ExportOptions, ExportWriter> Writer);

/// <summary>Every export format, one row each: a new format is a new <see cref="ExportFormat"/> and one row here.</summary>
public static class ExportFormats
{
    public static readonly IReadOnlyList<ExportFormatInfo> All =
    [
        new(ExportFormat.LabelStudioJson, "labelstudio", "Label Studio JSON", "json", "application/json", (w, n, _) => new LabelStudioJsonWriter(w, n)),
        new(ExportFormat.Jsonl, "jsonl", "JSON Lines", "jsonl", "application/x-ndjson", (w, n, _) => new JsonlExportWriter(w, n)),
        new(ExportFormat.Csv, "csv", "CSV", "csv", "text/csv", (w, n, _) => new CsvExportWriter(w, n)),
        new(ExportFormat.Conll, "conll", "CoNLL-2003", "conll", "text/plain", (w, n, o) => new ConllExportWriter(w, n, o.UnannotatedAsO)),
        new(ExportFormat.JsonMin, "json-min", "Label Studio JSON-MIN", "min.json", "application/json", (w, n, _) => new JsonMinExportWriter(w, n)),
        new(ExportFormat.Tsv, "tsv", "TSV (Label Studio's)", "tsv", "text/tab-separated-values", (w, n, _) => new TsvExportWriter(w, n)),
    ];

    public static ExportFormatInfo Of(ExportFormat format) =>
        All.FirstOrDefault(f => f.Format == format) ?? throw new ArgumentOutOfRangeException(nameof(format), format, "There is no such export format.");

    /// <summary>The format whose key is <paramref name="key"/> (any case), if any.</summary>
    public static ExportFormatInfo? ByKey(string key) => All.FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Writes a project's tasks and results in one of the <see cref="ExportFormats"/>: Label Studio JSON (tasks with
/// "annotations" and "predictions"), JSONL (one such task per line), CSV (one row per annotation, spreadsheet-safe),
/// CoNLL-2003 (one document per annotation; optionally all-O ones for tasks without), or Label Studio's flat JSON-MIN
/// and TSV (one row per annotation, as its converter writes them). Streams task pages by key, so memory stays flat however large the
/// project; tasks come in workflow order (open, complete, in review, adjudication, done), by id within each. Without
/// annotator identities, people become "annotator-1", "annotator-2"… consistently within one export, except in Label
/// Studio JSON, where completed_by is left out (Label Studio's importer gives such annotations to the importing user,
/// and refuses e-mails that are not its members'). Imported ground truth goes out as a ground_truth annotation.
/// </summary>
public sealed class ExportService(IDbContextFactory<PortalDbContext> factory)
{
    private const int PageSize = 1000;

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
        await using var db = await factory.CreateDbContextAsync(ct);
        var names = await LabelNamesAsync(db, projectId, ct);
        var people = new Dictionary<Guid, string>();
        // Annotators and whoever decided a ground truth, so every result names a real person.
        var users = await db.Users.AsNoTracking()
            .Where(u => db.Annotations.Any(a => a.ProjectId == projectId && a.UserId == u.Id) || db.GroundTruths.Any(g => g.ProjectId == projectId && g.DecidedById == u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        var person = new People(id => options.IncludeAnnotators ? users.GetValueOrDefault(id, id.ToString())
            : people.TryGetValue(id, out var alias) ? alias : people[id] = $"annotator-{people.Count + 1}",
            id => options.IncludeAnnotators ? users.GetValueOrDefault(id) : null);

        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        if (options.Problem is { } problem)
        {
            throw new DataFormatException(problem.Message);
        }

        var format = ExportFormats.Of(options.Format).Writer(writer, names, options);
        try
        {
            await format.StartAsync();
            long visited = 0, count = 0;

            // Pages by key within each workflow state: the (ProjectId, State, Id) index serves every page without a sort
            // (a page by id alone made SQLite sort the whole project for each page).
            foreach (var state in Enum.GetValues<TaskState>())
            {
                long after = 0;
                while (await PageAsync(db, projectId, state, after, options, format.WritesPredictions, person, ct) is { Count: > 0 } page)
                {
                    after = page[^1].Id;
                    visited += page.Count;
                    foreach (var task in page.Where(t => options.Filter == ExportFilter.All || options.UnannotatedAsO || t.Results.Count > 0))
                    {
                        count++;
                        await format.WriteAsync(task);
                    }

                    progress?.Report(visited);
                }
            }

            await format.EndAsync();
            await writer.FlushAsync(ct);
            return count;
        }
        finally
        {
            (format as IDisposable)?.Dispose();
        }
    }

    /// <summary>One page of a state's tasks after <paramref name="after"/>, with their results and (when the format writes them) predictions.</summary>
    private static async Task<List<ExportedTask>> PageAsync(
        PortalDbContext db, Guid projectId, TaskState state, long after, ExportOptions options, bool withPredictions, People person, CancellationToken ct)
    {
        var filter = options.Filter;
        var query = db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId && t.State == state && t.Id > after).Published(db);
        if (options.TaskIds is { } selected)
        {
            query = query.Where(t => selected.Contains(t.Id));
        }

        var tasks = await query.OrderBy(t => t.Id).Take(PageSize)
            .Select(t => new { t.Id, t.ExternalId, t.Text, t.MetadataJson, t.LabelStudioJson }).ToListAsync(ct);
        if (tasks.Count == 0)
        {
            return [];
        }

        var ids = tasks.Select(t => t.Id).ToHashSet();
        long low = tasks[0].Id, high = tasks[^1].Id;
        var results = await ResultsAsync(db, ids, low, high, filter, person, ct);
        var predictions = withPredictions
            ? (await db.Predictions.AsNoTracking().Where(p => p.TaskId >= low && p.TaskId <= high).Select(p => new { p.TaskId, p.ModelVersion, p.Score, p.ResultJson, p.LabelStudioJson }).ToListAsync(ct))
                .Where(p => ids.Contains(p.TaskId)).ToLookup(p => p.TaskId, p => new ExportedPrediction(p.ModelVersion, p.Score, p.ResultJson) { LabelStudioJson = p.LabelStudioJson })
            : Enumerable.Empty<ExportedPrediction>().ToLookup(_ => 0L);
        return [.. tasks.Select(t => new ExportedTask(t.Id, t.ExternalId, t.Text, t.MetadataJson, [.. results[t.Id]], predictions[t.Id]) { LabelStudioJson = t.LabelStudioJson })];
    }

    /// <summary>
    /// The results of one page of tasks. Rows are read by the page's task id range (the page is in id order) with one
    /// query each for annotations, spans and answers, and kept when their task is on the page: an IN list of a
    /// thousand ids and EF's split includes were each ten times slower here.
    /// </summary>
    private static async Task<ILookup<long, ExportedResult>> ResultsAsync(PortalDbContext db, HashSet<long> ids, long first, long last, ExportFilter filter, People person, CancellationToken ct)
    {
        var truths = db.GroundTruths.AsNoTracking().Where(g => g.TaskId >= first && g.TaskId <= last);
        if (filter == ExportFilter.GroundTruth)
        {
            return (await truths.ToListAsync(ct)).Where(g => ids.Contains(g.TaskId)).ToLookup(g => g.TaskId, g => Truth(g, person));
        }

        var statuses = filter switch
        {
            ExportFilter.Submitted => new[] { AnnotationStatus.Submitted, AnnotationStatus.Accepted },
            ExportFilter.ReviewedAccepted => [AnnotationStatus.Accepted],
            _ => [AnnotationStatus.Submitted, AnnotationStatus.Accepted, AnnotationStatus.Rejected],
        };
        var inRange = db.Annotations.AsNoTracking().Where(a => a.TaskId >= first && a.TaskId <= last && statuses.Contains(a.Status));
        var annotations = (await inRange.Select(a => new { a.Id, a.TaskId, a.UserId, a.Status, a.CreatedAt, a.UpdatedAt, a.LeadTimeMs, a.LabelStudioJson }).ToListAsync(ct))
            .Where(a => ids.Contains(a.TaskId)).OrderBy(a => a.Id).ToList();
        var spans = (await (from a in inRange join s in db.AnnotationSpans on a.Id equals s.AnnotationId select new { s.AnnotationId, s.ControlName, s.LabelKey, s.Start, s.End, s.Id })
            .ToListAsync(ct)).OrderBy(s => s.Id).ToLookup(s => s.AnnotationId, s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End));
        var answers = (await (from a in inRange join x in db.AnnotationAnswers on a.Id equals x.AnnotationId select new { x.AnnotationId, x.ControlName, x.LabelKey, x.Id })
            .ToListAsync(ct)).OrderBy(x => x.Id).ToLookup(x => x.AnnotationId, x => new AnswerValue(x.ControlName, x.LabelKey));
        var extras = await AnnotationStore.SnapshotsWithExtrasAsync(db, [.. annotations.Select(a => a.Id)], ct);
        var results = annotations.Select(a => (a.TaskId, Result: new ExportedResult(a.Id, person.Name(a.UserId),
            AnnotationStore.WithExtras(new AnnotationResult([.. spans[a.Id]], [.. answers[a.Id]]), extras.GetValueOrDefault(a.Id)),
            a.CreatedAt, a.UpdatedAt, a.LeadTimeMs, a.Status.ToString().ToLowerInvariant()) { Email = person.Email(a.UserId), LabelStudioJson = a.LabelStudioJson })).ToList();
        if (filter is ExportFilter.All or ExportFilter.Submitted)
        {
            // An imported ground truth is no one's annotation: it goes out as Label Studio's ground_truth annotation,
            // unless it is one of the task's annotations already (a gold task imported with its people's annotations).
            var imported = (await truths.Where(g => g.Source == GroundTruthSource.Imported).ToListAsync(ct)).Where(g => ids.Contains(g.TaskId));
            var annotationIds = results.Select(r => LabelStudioSource.Parse(r.Result.LabelStudioJson).Id?.ToString()).OfType<string>().ToHashSet();
            results.AddRange(imported.Where(g => LabelStudioSource.Parse(g.LabelStudioJson).Id?.ToString() is not { } id || !annotationIds.Contains(id))
                .Select(g => (g.TaskId, Truth(g, person))));
        }

        return results.ToLookup(r => r.TaskId, r => r.Result);
    }

    private static ExportedResult Truth(GroundTruth g, People person) =>
        new(null, g.DecidedById is { } d ? person.Name(d) : "rule", AnnotationResult.FromJson(g.ResultJson), g.DecidedAt, g.DecidedAt, 0, g.Source.ToString())
        {
            Email = g.DecidedById is { } by ? person.Email(by) : null, LabelStudioJson = g.LabelStudioJson,
        };

    /// <summary>How an export names people: a name for every format (an e-mail, or an alias without people), and the real e-mail or none.</summary>
    private sealed record People(Func<Guid, string> Name, Func<Guid, string?> Email);

    private static async Task<ExportLabelNames> LabelNamesAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var labels = await db.Labels.AsNoTracking()
            .Where(l => db.TaxonomyVersions.Any(v => v.Id == l.TaxonomyVersionId && db.Taxonomies.Any(t => t.Id == v.TaxonomyId && t.ProjectId == projectId)))
            .Select(l => new { l.Key, l.Name, Number = db.TaxonomyVersions.Where(v => v.Id == l.TaxonomyVersionId).Select(v => v.Number).First() })
            .ToListAsync(ct);
        return new ExportLabelNames(labels.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.MaxBy(l => l.Number)!.Name));
    }
}
