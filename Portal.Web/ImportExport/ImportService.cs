using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Labeling;

namespace Portal.Web.ImportExport;

/// <summary>What to do with a Label Studio task's "annotations".</summary>
public enum ImportedAnnotations
{
    /// <summary>Rows that carry annotations are refused, so nothing is dropped without a decision.</summary>
    Refuse = 0,

    /// <summary>The first non-cancelled annotation of a task becomes its ground truth (source "imported").</summary>
    GroundTruth = 1,

    /// <summary>
    /// Every non-cancelled annotation becomes a submitted annotation of the portal user it names (by e-mail, or as
    /// mapped), and counts toward the task's overlap; complete tasks then go through consensus like any other.
    /// </summary>
    Annotations = 2,
}

/// <summary>A question ("from_name") of the file read as a question of the project.</summary>
public sealed record QuestionMapping(string From, string To);

/// <summary>A label name of the file (in a question of the project) read as one of the project's labels.</summary>
public sealed record LabelMapping(string Question, string Name, Guid LabelKey);

/// <summary>An annotator of the file (e-mail or id) read as a portal user.</summary>
public sealed record AnnotatorMapping(string Annotator, Guid UserId);

public sealed record ImportMappings(
    IReadOnlyList<QuestionMapping>? Questions = null, IReadOnlyList<LabelMapping>? Labels = null, IReadOnlyList<AnnotatorMapping>? Annotators = null)
{
    public static readonly ImportMappings None = new();
}

public sealed record UnknownQuestion(string Name, string Type, long Rows);

public sealed record UnknownLabel(string Question, string Name, long Rows);

public sealed record UnknownAnnotator(string Annotator, long Rows);

/// <summary>Names in the file the project does not know; the import waits until each is added or mapped.</summary>
public sealed record ImportDecisions(IReadOnlyList<UnknownQuestion> Questions, IReadOnlyList<UnknownLabel> Labels, IReadOnlyList<UnknownAnnotator> Annotators)
{
    public bool Any => Questions.Count + Labels.Count + Annotators.Count > 0;
}

public sealed record ImportOptions(
    TaskFileFormat Format, CsvColumns? Csv = null, bool ImportValidRows = false, IReadOnlyList<PiiRule>? Masking = null,
    ImportedAnnotations Annotations = ImportedAnnotations.Refuse, ImportMappings? Mappings = null);

/// <summary>
/// How an import ended; read = imported + duplicates + rejected + withheld, always. Withheld rows were fine but not
/// imported because the import was atomic and other rows were bad, or because it waits for <see cref="Needed"/>.
/// </summary>
public sealed record ImportSummary(
    Guid JobId, long Read, long Imported, long Duplicates, long Rejected, long Withheld, IReadOnlyList<TaskRowError> Errors, bool Committed, bool AlreadyDone,
    ImportDecisions? Needed = null);

/// <summary>
/// Imports tasks into a project (the pipeline behind the <c>import</c> verb): streams the file, masks PII when asked,
/// skips tasks the project already has (by external id, else by content hash, also within the file), turns Label
/// Studio predictions into suggestions, and inserts with prepared commands in one transaction. Atomic by default:
/// any bad row and nothing is imported; with <see cref="ImportOptions.ImportValidRows"/> the bad rows are reported and
/// the rest imported. A crash leaves no half import (the transaction never commits), and the same file again (same
/// idempotency key) finds the finished job and imports nothing twice.
/// </summary>
public sealed class ImportService(IDbContextFactory<PortalDbContext> factory, TimeProvider clock)
{
    private const int KeptErrors = 1000;

    public Task<ImportSummary> RunAsync(
        Guid projectId, Guid userId, Stream stream, string fileName, string idempotencyKey, ImportOptions options, IProgress<long>? progress, CancellationToken ct) =>
        RunAsync(projectId, userId, [new ImportFile(fileName, null, _ => Task.FromResult(stream))], fileName, idempotencyKey, options, progress, ct);

    /// <summary>Imports several files (a blob container's) as one import: all of them or, when atomic and any row is bad, none.</summary>
    public async Task<ImportSummary> RunAsync(
        Guid projectId, Guid userId, IReadOnlyList<ImportFile> files, string sourceName, string idempotencyKey, ImportOptions options, IProgress<long>? progress, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId, ct)
            ?? throw new DataFormatException($"There is no project {projectId}.");
        var job = await db.DataJobs.SingleOrDefaultAsync(j => j.ProjectId == projectId && j.Kind == RunKind.Import && j.IdempotencyKey == idempotencyKey, ct);
        if (job is { State: RunState.Succeeded })
        {
            return new ImportSummary(job.Id, job.Processed, job.Succeeded, job.Duplicates, job.Rejected, 0, [], Committed: true, AlreadyDone: true);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (job is null)
        {
            job = new DataJob
            {
                Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Import, Format = options.Format.ToString().ToLowerInvariant(),
                IdempotencyKey = idempotencyKey, SourceName = sourceName, CreatedById = userId, CreatedAt = now,
            };
            db.DataJobs.Add(job);
        }

        // A job left Running by a crash simply runs again: its transaction never committed.
        job.State = RunState.Running;
        job.StartedAt = now;
        job.Processed = job.Succeeded = job.Duplicates = job.Rejected = 0;
        job.Message = null;
        job.PendingJson = null;
        await db.SaveChangesAsync(ct);

        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        var resolver = new Resolver(
            (await LabelingService.ControlsAsync(db, versionId, ct)).ToDictionary(c => c.Name, StringComparer.Ordinal),
            options.Mappings ?? ImportMappings.None,
            options.Annotations == ImportedAnnotations.Annotations
                ? await db.Users.AsNoTracking().Select(u => new { u.Email, u.Id }).ToDictionaryAsync(u => u.Email, u => u.Id, StringComparer.OrdinalIgnoreCase, ct)
                : new Dictionary<string, Guid>());
        var errors = new List<TaskRowError>();
        long read = 0, imported = 0, duplicates = 0, rejected = 0;
        void Reject(TaskRowError error)
        {
            rejected++;
            if (errors.Count < KeptErrors)
            {
                errors.Add(error);
            }
        }

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await using var commands = new Commands(db, tx, projectId, job.Id, versionId, now);
            var known = await commands.KnownKeysAsync(ct);
            foreach (var file in files)
            {
                await using var stream = await file.OpenAsync(ct);
                await foreach (var item in TaskFileReader.ReadAsync(stream, file.Name, options.Format, options.Csv, ct))
                {
                    if (item is TaskRowError { Line: 0 } fileError)
                    {
                        // About the whole file (empty, no header): not a row.
                        errors.Add(fileError);
                        continue;
                    }

                    read++;
                    if (item is TaskRowError error)
                    {
                        Reject(error);
                    }
                    else if (item is TaskRecord record)
                    {
                        var masked = options.Masking is { Count: > 0 } rules ? PiiMasking.Mask(record.Text, rules) : new PiiMasked(record.Text, []);
                        var extras = Extras(record, resolver, masked, options, now, out var extrasError);
                        if (extrasError is not null)
                        {
                            Reject(extrasError);
                        }
                        else if (resolver.Waiting)
                        {
                            // Once a name is unknown nothing is committed: the rest of the file is only read, to list every unknown name at once.
                        }
                        else
                        {
                            var hash = ContentHash.Of(masked.Text);
                            if (!(record.ExternalId is { } id ? known.AddExternalId(id) : known.AddHash(hash)))
                            {
                                duplicates++;
                            }
                            else
                            {
                                if (record.ExternalId is not null)
                                {
                                    // Later rows without an id but with the same text are duplicates of this one.
                                    known.AddHash(hash);
                                }

                                var target = Coverage.TargetAnnotations(hash, project.AnnotatorsPerTask, project.CoveragePercent);
                                var done = extras.Annotations.Count;
                                var taskId = await commands.InsertTaskAsync(record.ExternalId, hash, masked.Text, record.MetadataJson, Math.Max(target, done), done,
                                    needId: extras.Predictions.Count > 0 || extras.Truth is not null || done > 0, ct);
                                foreach (var (model, result) in extras.Predictions)
                                {
                                    await commands.InsertPredictionAsync(taskId, model, result.ToJson(), ct);
                                }

                                if (extras.Truth is { } truth)
                                {
                                    await commands.InsertGroundTruthAsync(taskId, truth.ToJson(), userId, ct);
                                }

                                foreach (var annotation in extras.Annotations)
                                {
                                    await commands.InsertAnnotationAsync(taskId, annotation, file.Name, ct);
                                }

                                imported++;
                            }
                        }
                    }

                    if (read % 1000 == 0)
                    {
                        progress?.Report(read);
                    }
                }
            }

            var needed = resolver.Decisions();
            var commit = read > 0 && !needed.Any && errors.All(e => e.Line > 0) && (rejected == 0 || options.ImportValidRows);
            long withheld = 0;
            if (commit)
            {
                await tx.CommitAsync(ct);
            }
            else
            {
                await tx.RollbackAsync(ct);
                withheld = read - rejected;
                imported = 0;
                duplicates = 0;
            }

            progress?.Report(read);
            job.Processed = read;
            job.Succeeded = imported;
            job.Duplicates = duplicates;
            job.Rejected = rejected;
            job.ErrorReportJson = errors.Count == 0 ? null : JsonSerializer.Serialize(errors);
            job.State = commit ? RunState.Succeeded : needed.Any ? RunState.Waiting : RunState.Failed;
            job.PendingJson = needed.Any ? JsonSerializer.Serialize(needed) : null;
            job.Message = errors.FirstOrDefault(e => e.Line == 0)?.Reason
                ?? (needed.Any ? "The file uses names the project does not know; add or map them to continue."
                : commit ? null : $"{rejected:N0} row(s) have errors, so nothing was imported (the import is all or nothing).");
            job.CompletedAt = needed.Any ? null : clock.GetUtcNow().UtcDateTime;

            db.ChangeTracker.Clear();
            db.DataJobs.Attach(job);
            db.Entry(job).State = EntityState.Modified;
            await db.SaveChangesAsync(ct);
            return new ImportSummary(job.Id, read, imported, duplicates, rejected, withheld, errors, commit, AlreadyDone: false, needed.Any ? needed : null);
        }
    }

    private sealed record ImportedAnnotation(Guid UserId, AnnotationResult Result, DateTime Created, DateTime Updated, long LeadTimeMs);

    private sealed record TaskExtras(IReadOnlyList<(string Model, AnnotationResult Result)> Predictions, AnnotationResult? Truth, IReadOnlyList<ImportedAnnotation> Annotations)
    {
        public static readonly TaskExtras None = new([], null, []);
    }

    /// <summary>
    /// Reads the file's question, label and annotator names as the project's, through the chosen mappings; counts the
    /// names it cannot place (once per row) so the import can ask about all of them at once.
    /// </summary>
    private sealed class Resolver(IReadOnlyDictionary<string, ControlView> controls, ImportMappings mappings, IReadOnlyDictionary<string, Guid> users)
    {
        private readonly Dictionary<string, string> questionMap = (mappings.Questions ?? []).ToDictionary(m => m.From, m => m.To, StringComparer.Ordinal);
        private readonly Dictionary<(string, string), Guid> labelMap = (mappings.Labels ?? []).ToDictionary(m => (m.Question, m.Name), m => m.LabelKey);
        private readonly Dictionary<string, Guid> annotatorMap = (mappings.Annotators ?? []).ToDictionary(m => m.Annotator, m => m.UserId, StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<(string Name, string Type), long> unknownQuestions = [];
        private readonly Dictionary<(string Question, string Name), long> unknownLabels = [];
        private readonly Dictionary<string, long> unknownAnnotators = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<object> row = [];

        public bool Waiting { get; private set; }

        public void StartRow() => row.Clear();

        public ControlView? Question(string from, string type)
        {
            var name = questionMap.GetValueOrDefault(from, from);
            if (controls.TryGetValue(name, out var control))
            {
                return control;
            }

            Count(unknownQuestions, (from, type));
            return null;
        }

        public Guid? Label(ControlView control, string name)
        {
            if (labelMap.TryGetValue((control.Name, name), out var mapped))
            {
                return mapped;
            }

            if (control.Labels.FirstOrDefault(l => !l.IsDeprecated && (l.Name == name || l.Path == name)) is { } label)
            {
                return label.Key;
            }

            Count(unknownLabels, (control.Name, name));
            return null;
        }

        public Guid? Annotator(string annotator)
        {
            if (annotatorMap.TryGetValue(annotator, out var mapped) || users.TryGetValue(annotator, out mapped))
            {
                return mapped;
            }

            Count(unknownAnnotators, annotator);
            return null;
        }

        private void Count<TKey>(Dictionary<TKey, long> counts, TKey key)
            where TKey : notnull
        {
            Waiting = true;
            if (row.Add(key))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        public ImportDecisions Decisions() => new(
            [.. unknownQuestions.OrderBy(q => q.Key.Name, StringComparer.Ordinal).Select(q => new UnknownQuestion(q.Key.Name, q.Key.Type, q.Value))],
            [.. unknownLabels.OrderBy(l => l.Key.Question, StringComparer.Ordinal).ThenBy(l => l.Key.Name, StringComparer.Ordinal).Select(l => new UnknownLabel(l.Key.Question, l.Key.Name, l.Value))],
            [.. unknownAnnotators.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).Select(a => new UnknownAnnotator(a.Key, a.Value))]);
    }

    /// <summary>Label Studio predictions and (as chosen) annotations of a task, as label keys on the masked text.</summary>
    private static TaskExtras Extras(TaskRecord record, Resolver resolver, PiiMasked masked, ImportOptions options, DateTime now, out TaskRowError? error)
    {
        error = null;
        resolver.StartRow();
        if (record.Raw is not { } raw)
        {
            return TaskExtras.None;
        }

        var predictions = new List<(string, AnnotationResult)>();
        if (raw.TryGetProperty("predictions", out var predictionArray) && predictionArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var prediction in predictionArray.EnumerateArray())
            {
                var model = prediction.TryGetProperty("model_version", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "imported";
                var result = Result(prediction, resolver, masked, record.Text.Length, out var problem);
                if (problem is not null)
                {
                    error = new TaskRowError(record.Where, record.Line, "predictions", problem);
                    return TaskExtras.None;
                }

                predictions.Add((model, result));
            }
        }

        var annotations = raw.TryGetProperty("annotations", out var annotationArray) && annotationArray.ValueKind == JsonValueKind.Array
            ? annotationArray.EnumerateArray().Where(a => !(a.TryGetProperty("was_cancelled", out var c) && c.ValueKind == JsonValueKind.True)).ToList()
            : [];
        if (annotations.Count == 0)
        {
            return new TaskExtras(predictions, null, []);
        }

        switch (options.Annotations)
        {
            case ImportedAnnotations.Refuse:
                error = new TaskRowError(record.Where, record.Line, "annotations",
                    $"the task has {annotations.Count} annotation(s); choose what they become (annotations of their people, or ground truth) so none is dropped.");
                return TaskExtras.None;
            case ImportedAnnotations.GroundTruth:
                var truth = Result(annotations[0], resolver, masked, record.Text.Length, out var truthProblem);
                if (truthProblem is not null)
                {
                    error = new TaskRowError(record.Where, record.Line, "annotations", truthProblem);
                    return TaskExtras.None;
                }

                return new TaskExtras(predictions, truth, []);
        }

        var imported = new List<ImportedAnnotation>();
        foreach (var annotation in annotations)
        {
            var who = LabelStudioReader.Annotator(annotation);
            if (who is not { Length: > 0 })
            {
                error = new TaskRowError(record.Where, record.Line, "annotations", "an annotation has no completed_by (an e-mail or a user id).");
                return TaskExtras.None;
            }

            var userId = resolver.Annotator(who);
            var result = Result(annotation, resolver, masked, record.Text.Length, out var problem);
            if (problem is not null)
            {
                error = new TaskRowError(record.Where, record.Line, "annotations", problem);
                return TaskExtras.None;
            }

            if (userId is { } user)
            {
                if (imported.Any(a => a.UserId == user))
                {
                    error = new TaskRowError(record.Where, record.Line, "annotations", $"{who} has two annotations on this task; a person annotates a task once.");
                    return TaskExtras.None;
                }

                var created = Date(annotation, "created_at") ?? now;
                var leadTime = annotation.TryGetProperty("lead_time", out var lt) && lt.TryGetDouble(out var seconds) && seconds is >= 0 and < 1e9 ? (long)(seconds * 1000) : 0;
                imported.Add(new ImportedAnnotation(user, result, created, Date(annotation, "updated_at") ?? created, leadTime));
            }
        }

        return new TaskExtras(predictions, null, imported);
    }

    private static DateTime? Date(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String &&
        DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date.UtcDateTime : null;

    /// <summary>A Label Studio "result" list, mapped to this project's label keys; names it cannot place go to the resolver.</summary>
    private static AnnotationResult Result(JsonElement item, Resolver resolver, PiiMasked masked, int textLength, out string? problem)
    {
        problem = null;
        var spans = new List<SpanValue>();
        var answers = new List<AnswerValue>();
        if (!item.TryGetProperty("result", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            return new AnnotationResult(spans, answers);
        }

        foreach (var region in results.EnumerateArray())
        {
            var from = region.TryGetProperty("from_name", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "";
            var type = region.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
            if (type is not ("labels" or "choices"))
            {
                problem = $"a result of type \"{type}\" (question \"{from}\"); only text spans (labels) and choices can be imported.";
                return AnnotationResult.Empty;
            }

            if (!region.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
            {
                problem = $"a result of \"{from}\" has no value.";
                return AnnotationResult.Empty;
            }

            if (resolver.Question(from, type) is not { } control)
            {
                continue;
            }

            if ((type == "labels") != (control.Kind == ControlKind.Spans))
            {
                problem = $"\"{from}\" holds {type} in the file, but the project's question \"{control.Prompt}\" takes {(control.Kind == ControlKind.Spans ? "spans" : "choices")}.";
                return AnnotationResult.Empty;
            }

            var names = value.TryGetProperty(type, out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() ?? "" : x.ToString()).ToList()
                : [];
            foreach (var name in names)
            {
                if (resolver.Label(control, name) is not { } key)
                {
                    continue;
                }

                if (type == "labels")
                {
                    var start = value.TryGetProperty("start", out var s) && s.TryGetInt32(out var si) ? si : -1;
                    var end = value.TryGetProperty("end", out var e) && e.TryGetInt32(out var ei) ? ei : -1;
                    if (start < 0 || end > textLength || end <= start)
                    {
                        problem = $"a span [{start}, {end}) is outside the text.";
                        return AnnotationResult.Empty;
                    }

                    var (newStart, newEnd) = masked.Map(start, end);
                    spans.Add(new SpanValue(control.Name, key, newStart, newEnd));
                }
                else
                {
                    answers.Add(new AnswerValue(control.Name, key));
                }
            }
        }

        return new AnnotationResult([.. spans.Distinct()], [.. answers.Distinct()]);
    }

    /// <summary>Prepared commands on the import's transaction; values in the form each provider stores them.</summary>
    private sealed class Commands : IAsyncDisposable
    {
        private readonly bool sqlite;
        private readonly DbCommand keys;
        private readonly DbCommand insertTask;
        private readonly DbCommand insertTaskWithId;
        private readonly DbCommand insertPrediction;
        private readonly DbCommand insertTruth;
        private readonly DbCommand insertAnnotation;
        private readonly DbCommand insertSpan;
        private readonly DbCommand insertAnswer;
        private readonly DbCommand insertRevision;
        private readonly object project;
        private readonly object version;
        private readonly object created;
        private readonly object job;

        public Commands(PortalDbContext db, IDbContextTransaction tx, Guid projectId, Guid jobId, Guid versionId, DateTime now)
        {
            sqlite = db.Database.IsSqlite();
            project = Value(projectId);
            version = Value(versionId);
            job = Value(jobId);
            created = Date(now);
            var connection = db.Database.GetDbConnection();
            var transaction = tx.GetDbTransaction();
            DbCommand Command(string sql, params string[] parameters)
            {
                var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                foreach (var name in parameters)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    command.Parameters.Add(parameter);
                }

                return command;
            }

            var sql = Texts(sqlite);
            keys = Command(sql.Keys, "@p");
            string[] names = ["@p", "@e", "@h", "@t", "@m", "@n", "@d", "@a", "@j", "@c"];
            insertTask = Command(sql.InsertTask, names);
            insertTaskWithId = Command(sql.InsertTaskWithId, names);
            insertPrediction = Command(sql.InsertPrediction, "@task", "@model", "@r", "@c");
            insertTruth = Command(sql.InsertTruth, "@task", "@p", "@v", "@r", "@s", "@u", "@c");
            insertAnnotation = Command(sql.InsertAnnotation, "@p", "@task", "@u", "@v", "@l", "@c", "@up");
            insertSpan = Command(sql.InsertSpan, "@a", "@q", "@k", "@s", "@e");
            insertAnswer = Command(sql.InsertAnswer, "@a", "@q", "@k");
            insertRevision = Command(sql.InsertRevision, "@a", "@c", "@u", "@v", "@r", "@n");
        }

        /// <summary>The import's statements for one provider (tests parse the SQL Server ones with Microsoft's T-SQL parser).</summary>
        internal static SqlTexts Texts(bool sqlite)
        {
            var identity = sqlite ? " SELECT last_insert_rowid();" : " SELECT CAST(SCOPE_IDENTITY() AS bigint);";
            const string insert =
                "INSERT INTO Tasks (ProjectId, ExternalId, ContentHash, Text, MetadataJson, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, ImportJobId, CreatedAt, Version) " +
                "VALUES (@p, @e, @h, @t, @m, 0, 0, 0, @n, @d, @d, @a, @j, @c, 0);";
            return new SqlTexts(
                "SELECT ExternalId, ContentHash FROM Tasks WHERE ProjectId = @p",
                insert,
                insert + identity,
                "INSERT INTO Predictions (TaskId, ModelVersion, Score, ResultJson, CreatedAt) VALUES (@task, @model, NULL, @r, @c)",
                "INSERT INTO GroundTruths (TaskId, ProjectId, TaxonomyVersionId, ResultJson, Source, \"Rule\", DecidedById, AgreeingAnnotatorsJson, Agreement, ReasonCode, Note, DecidedAt, Version) " +
                "VALUES (@task, @p, @v, @r, @s, 'imported', @u, NULL, NULL, 0, NULL, @c, 0)",
                "INSERT INTO Annotations (ProjectId, TaskId, UserId, Round, TaxonomyVersionId, Status, SkipReason, ReviewComment, ReviewRequested, LeadTimeMs, CreatedAt, UpdatedAt, SubmittedAt, Version) " +
                $"VALUES (@p, @task, @u, 0, @v, {(int)AnnotationStatus.Submitted}, NULL, NULL, 0, @l, @c, @up, @up, 0);" + identity,
                "INSERT INTO AnnotationSpans (AnnotationId, ControlName, LabelKey, Start, \"End\") VALUES (@a, @q, @k, @s, @e)",
                "INSERT INTO AnnotationAnswers (AnnotationId, ControlName, LabelKey) VALUES (@a, @q, @k)",
                "INSERT INTO AnnotationRevisions (AnnotationId, Number, ChangedAt, ChangedById, Reason, Status, TaxonomyVersionId, ResultJson, Note) " +
                $"VALUES (@a, 1, @c, @u, {(int)RevisionReason.Import}, {(int)AnnotationStatus.Submitted}, @v, @r, @n)");
        }

        private object Value(Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;

        private object Date(DateTime date) => sqlite ? date.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : date;

        /// <summary>The project's external ids and content hashes, as 128-bit keys (about 32 bytes a task in memory).</summary>
        public async Task<KnownKeys> KnownKeysAsync(CancellationToken ct)
        {
            var known = new KnownKeys();
            keys.Parameters[0].Value = project;
            await using var reader = await keys.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (!reader.IsDBNull(0))
                {
                    known.AddExternalId(reader.GetString(0));
                }

                known.AddHash(reader.GetString(1));
            }

            return known;
        }

        /// <summary>Inserts a task with <paramref name="done"/> submitted annotations; its id is read back only when rows for it follow.</summary>
        public async Task<long> InsertTaskAsync(string? externalId, string hash, string text, string? metadata, int target, int done, bool needId, CancellationToken ct)
        {
            var command = needId ? insertTaskWithId : insertTask;
            var p = command.Parameters;
            p[0].Value = project;
            p[1].Value = (object?)externalId ?? DBNull.Value;
            p[2].Value = hash;
            p[3].Value = text;
            p[4].Value = (object?)metadata ?? DBNull.Value;
            p[5].Value = target;
            p[6].Value = done;
            p[7].Value = done < target;
            p[8].Value = job;
            p[9].Value = created;
            if (!needId)
            {
                await command.ExecuteNonQueryAsync(ct);
                return 0;
            }

            return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }

        public async Task InsertPredictionAsync(long taskId, string model, string json, CancellationToken ct)
        {
            var p = insertPrediction.Parameters;
            p[0].Value = taskId;
            p[1].Value = model;
            p[2].Value = json;
            p[3].Value = created;
            await insertPrediction.ExecuteNonQueryAsync(ct);
        }

        public async Task InsertGroundTruthAsync(long taskId, string json, Guid userId, CancellationToken ct)
        {
            var p = insertTruth.Parameters;
            p[0].Value = taskId;
            p[1].Value = project;
            p[2].Value = version;
            p[3].Value = json;
            p[4].Value = (int)GroundTruthSource.Imported;
            p[5].Value = Value(userId);
            p[6].Value = created;
            await insertTruth.ExecuteNonQueryAsync(ct);
        }

        /// <summary>A submitted annotation with its spans, answers and a first revision that says it was imported.</summary>
        public async Task InsertAnnotationAsync(long taskId, ImportedAnnotation annotation, string fileName, CancellationToken ct)
        {
            var p = insertAnnotation.Parameters;
            p[0].Value = project;
            p[1].Value = taskId;
            p[2].Value = Value(annotation.UserId);
            p[3].Value = version;
            p[4].Value = annotation.LeadTimeMs;
            p[5].Value = Date(annotation.Created);
            p[6].Value = Date(annotation.Updated);
            var id = Convert.ToInt64(await insertAnnotation.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            foreach (var span in annotation.Result.Spans)
            {
                var s = insertSpan.Parameters;
                s[0].Value = id;
                s[1].Value = span.Control;
                s[2].Value = Value(span.Label);
                s[3].Value = span.Start;
                s[4].Value = span.End;
                await insertSpan.ExecuteNonQueryAsync(ct);
            }

            foreach (var answer in annotation.Result.Answers)
            {
                var a = insertAnswer.Parameters;
                a[0].Value = id;
                a[1].Value = answer.Control;
                a[2].Value = Value(answer.Label);
                await insertAnswer.ExecuteNonQueryAsync(ct);
            }

            var r = insertRevision.Parameters;
            r[0].Value = id;
            r[1].Value = created;
            r[2].Value = Value(annotation.UserId);
            r[3].Value = version;
            r[4].Value = annotation.Result.ToJson();
            r[5].Value = $"Imported from {fileName}";
            await insertRevision.ExecuteNonQueryAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { keys, insertTask, insertTaskWithId, insertPrediction, insertTruth, insertAnnotation, insertSpan, insertAnswer, insertRevision })
            {
                await command.DisposeAsync();
            }
        }
    }

    internal sealed record SqlTexts(
        string Keys, string InsertTask, string InsertTaskWithId, string InsertPrediction, string InsertTruth, string InsertAnnotation, string InsertSpan,
        string InsertAnswer, string InsertRevision)
    {
        public IEnumerable<string> All => [Keys, InsertTask, InsertTaskWithId, InsertPrediction, InsertTruth, InsertAnnotation, InsertSpan, InsertAnswer, InsertRevision];
    }

    internal static SqlTexts Statements(bool sqlite) => Commands.Texts(sqlite);

    /// <summary>
    /// Duplicate detection in memory, so the import inserts without a lookup per row: external ids and content hashes
    /// as 128-bit keys (the first half of a SHA-256). Add returns false for a key already there.
    /// </summary>
    private sealed class KnownKeys
    {
        private readonly HashSet<UInt128> ids = [];
        private readonly HashSet<UInt128> hashes = [];

        public bool AddExternalId(string externalId) =>
            ids.Add(BinaryPrimitives.ReadUInt128BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(externalId))));

        public bool AddHash(string contentHash) =>
            hashes.Add(UInt128.Parse(contentHash.AsSpan(0, 32), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
