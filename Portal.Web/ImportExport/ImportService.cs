using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.Audits;
using Portal.Core.ImportExport;
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
}

public sealed record ImportOptions(
    TaskFileFormat Format, CsvColumns? Csv = null, bool ImportValidRows = false, IReadOnlyList<PiiRule>? Masking = null,
    ImportedAnnotations Annotations = ImportedAnnotations.Refuse);

/// <summary>
/// How an import ended; read = imported + duplicates + rejected + withheld, always. Withheld rows were fine but not
/// imported because the import was atomic and other rows were bad.
/// </summary>
public sealed record ImportSummary(
    Guid JobId, long Read, long Imported, long Duplicates, long Rejected, long Withheld, IReadOnlyList<TaskRowError> Errors, bool Committed, bool AlreadyDone);

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

    public async Task<ImportSummary> RunAsync(
        Guid projectId, Guid userId, Stream stream, string fileName, string idempotencyKey, ImportOptions options, IProgress<long>? progress, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId, ct)
            ?? throw new DataFormatException($"There is no project {projectId}.");
        var job = await db.DataJobs.SingleOrDefaultAsync(j => j.ProjectId == projectId && j.Kind == DataJobKind.Import && j.IdempotencyKey == idempotencyKey, ct);
        if (job is { State: RunState.Succeeded })
        {
            return new ImportSummary(job.Id, job.Processed, job.Succeeded, job.Duplicates, job.Rejected, 0, [], Committed: true, AlreadyDone: true);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (job is null)
        {
            job = new DataJob
            {
                Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = DataJobKind.Import, Format = options.Format.ToString().ToLowerInvariant(),
                IdempotencyKey = idempotencyKey, SourceName = fileName, CreatedById = userId, CreatedAt = now,
            };
            db.DataJobs.Add(job);
        }

        // A job left Running by a crash simply runs again: its transaction never committed.
        job.State = RunState.Running;
        job.StartedAt = now;
        job.Processed = job.Succeeded = job.Duplicates = job.Rejected = 0;
        await db.SaveChangesAsync(ct);

        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        var labels = await LabelsAsync(db, versionId, ct);
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
            await using var commands = new Commands(db, tx, projectId, job.Id, now);
            var known = await commands.KnownKeysAsync(ct);
            await foreach (var item in TaskFileReader.ReadAsync(stream, fileName, options.Format, options.Csv, ct))
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
                    var extras = Extras(record, labels, masked, options, out var extrasError);
                    var hash = extrasError is null ? ContentHash.Of(masked.Text) : "";
                    if (extrasError is not null)
                    {
                        Reject(extrasError);
                    }
                    else if (!(record.ExternalId is { } id ? known.AddExternalId(id) : known.AddHash(hash)))
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
                        var taskId = await commands.InsertTaskAsync(record.ExternalId, hash, masked.Text, record.MetadataJson, target,
                            needId: extras.Predictions.Count > 0 || extras.Truth is not null, ct);
                        foreach (var (model, result) in extras.Predictions)
                        {
                            await commands.InsertPredictionAsync(taskId, model, result.ToJson(), ct);
                        }

                        if (extras.Truth is { } truth)
                        {
                            await commands.InsertGroundTruthAsync(taskId, versionId, truth.ToJson(), userId, ct);
                        }

                        imported++;
                    }
                }

                if (read % 10_000 == 0)
                {
                    progress?.Report(read);
                }
            }

            var commit = read > 0 && errors.All(e => e.Line > 0) && (rejected == 0 || options.ImportValidRows);
            long withheld = 0;
            if (commit)
            {
                await tx.CommitAsync(ct);
            }
            else
            {
                await tx.RollbackAsync(ct);
                withheld = imported + duplicates;
                imported = 0;
                duplicates = 0;
            }

            progress?.Report(read);
            job.Processed = read;
            job.Succeeded = imported;
            job.Duplicates = duplicates;
            job.Rejected = rejected;
            job.ErrorReportJson = errors.Count == 0 ? null : JsonSerializer.Serialize(errors);
            job.State = commit ? RunState.Succeeded : RunState.Failed;
            job.CompletedAt = clock.GetUtcNow().UtcDateTime;

            db.ChangeTracker.Clear();
            db.DataJobs.Attach(job);
            db.Entry(job).State = EntityState.Modified;
            await db.SaveChangesAsync(ct);
            return new ImportSummary(job.Id, read, imported, duplicates, rejected, withheld, errors, commit, AlreadyDone: false);
        }
    }

    private sealed record TaskExtras(IReadOnlyList<(string Model, AnnotationResult Result)> Predictions, AnnotationResult? Truth);

    private sealed record LabelIndex(IReadOnlyDictionary<string, ControlView> Controls);

    private static async Task<LabelIndex> LabelsAsync(PortalDbContext db, Guid versionId, CancellationToken ct) =>
        new((await LabelingService.ControlsAsync(db, versionId, ct)).ToDictionary(c => c.Name, StringComparer.Ordinal));

    /// <summary>Label Studio predictions and (if chosen) annotations of a task, as label keys on the masked text.</summary>
    private static TaskExtras Extras(TaskRecord record, LabelIndex labels, PiiMasked masked, ImportOptions options, out TaskRowError? error)
    {
        error = null;
        var predictions = new List<(string, AnnotationResult)>();
        AnnotationResult? truth = null;
        if (record.Raw is not { } raw)
        {
            return new TaskExtras(predictions, truth);
        }

        if (raw.TryGetProperty("predictions", out var predictionArray) && predictionArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var prediction in predictionArray.EnumerateArray())
            {
                var model = prediction.TryGetProperty("model_version", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "imported";
                var result = Result(prediction, labels, masked, record.Text.Length, out var problem);
                if (problem is not null)
                {
                    error = new TaskRowError(record.Where, record.Line, "predictions", problem);
                    return new TaskExtras([], null);
                }

                predictions.Add((model, result));
            }
        }

        var annotations = raw.TryGetProperty("annotations", out var annotationArray) && annotationArray.ValueKind == JsonValueKind.Array
            ? annotationArray.EnumerateArray().Where(a => !(a.TryGetProperty("was_cancelled", out var c) && c.ValueKind == JsonValueKind.True)).ToList()
            : [];
        if (annotations.Count > 0)
        {
            if (options.Annotations == ImportedAnnotations.Refuse)
            {
                error = new TaskRowError(record.Where, record.Line, "annotations",
                    $"the task has {annotations.Count} annotation(s); choose what they become (for example ground truth) so none is dropped.");
                return new TaskExtras([], null);
            }

            truth = Result(annotations[0], labels, masked, record.Text.Length, out var problem);
            if (problem is not null)
            {
                error = new TaskRowError(record.Where, record.Line, "annotations", problem);
                return new TaskExtras([], null);
            }
        }

        return new TaskExtras(predictions, truth);
    }

    /// <summary>A Label Studio "result" list by label names, mapped to this project's label keys; unknown names are a problem.</summary>
    private static AnnotationResult Result(JsonElement item, LabelIndex labels, PiiMasked masked, int textLength, out string? problem)
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
            var from = region.TryGetProperty("from_name", out var f) ? f.GetString() ?? "" : "";
            var type = region.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            if (!region.TryGetProperty("value", out var value) || !labels.Controls.TryGetValue(from, out var control))
            {
                problem = $"\"{from}\" is not a question of this project's label set.";
                return AnnotationResult.Empty;
            }

            var names = value.TryGetProperty(type, out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
                : [];
            foreach (var name in names)
            {
                var label = control.Labels.FirstOrDefault(l => !l.IsDeprecated && (l.Name == name || l.Path == name));
                if (label is null)
                {
                    problem = $"the label \"{name}\" is not in \"{control.Prompt}\"; add it to the label set or map it before importing.";
                    return AnnotationResult.Empty;
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
                    spans.Add(new SpanValue(control.Name, label.Key, newStart, newEnd));
                }
                else
                {
                    answers.Add(new AnswerValue(control.Name, label.Key));
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
        private readonly object project;
        private readonly object created;
        private readonly object job;

        public Commands(PortalDbContext db, IDbContextTransaction tx, Guid projectId, Guid jobId, DateTime now)
        {
            sqlite = db.Database.IsSqlite();
            project = Value(projectId);
            job = Value(jobId);
            created = sqlite ? now.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : now;
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

            keys = Command("SELECT ExternalId, ContentHash FROM Tasks WHERE ProjectId = @p", "@p");
            const string insert =
                "INSERT INTO Tasks (ProjectId, ExternalId, ContentHash, Text, MetadataJson, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, ImportJobId, CreatedAt, Version) " +
                "VALUES (@p, @e, @h, @t, @m, 0, 0, 0, @n, 0, 0, 1, @j, @c, 0);";
            string[] names = ["@p", "@e", "@h", "@t", "@m", "@n", "@j", "@c"];
            insertTask = Command(insert, names);
            insertTaskWithId = Command(insert + (sqlite ? " SELECT last_insert_rowid();" : " SELECT CAST(SCOPE_IDENTITY() AS bigint);"), names);
            insertPrediction = Command("INSERT INTO Predictions (TaskId, ModelVersion, Score, ResultJson, CreatedAt) VALUES (@task, @model, NULL, @r, @c)", "@task", "@model", "@r", "@c");
            insertTruth = Command(
                "INSERT INTO GroundTruths (TaskId, ProjectId, TaxonomyVersionId, ResultJson, Source, Rule, DecidedById, AgreeingAnnotatorsJson, Agreement, ReasonCode, Note, DecidedAt, Version) " +
                "VALUES (@task, @p, @v, @r, @s, 'imported', @u, NULL, NULL, 0, NULL, @c, 0)", "@task", "@p", "@v", "@r", "@s", "@u", "@c");
        }

        private object Value(Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;

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

        /// <summary>Inserts a task; its id is read back only when predictions or ground truth follow.</summary>
        public async Task<long> InsertTaskAsync(string? externalId, string hash, string text, string? metadata, int target, bool needId, CancellationToken ct)
        {
            var command = needId ? insertTaskWithId : insertTask;
            var p = command.Parameters;
            p[0].Value = project;
            p[1].Value = (object?)externalId ?? DBNull.Value;
            p[2].Value = hash;
            p[3].Value = text;
            p[4].Value = (object?)metadata ?? DBNull.Value;
            p[5].Value = target;
            p[6].Value = job;
            p[7].Value = created;
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

        public async Task InsertGroundTruthAsync(long taskId, Guid versionId, string json, Guid userId, CancellationToken ct)
        {
            var p = insertTruth.Parameters;
            p[0].Value = taskId;
            p[1].Value = project;
            p[2].Value = Value(versionId);
            p[3].Value = json;
            p[4].Value = (int)GroundTruthSource.Imported;
            p[5].Value = Value(userId);
            p[6].Value = created;
            await insertTruth.ExecuteNonQueryAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { keys, insertTask, insertTaskWithId, insertPrediction, insertTruth })
            {
                await command.DisposeAsync();
            }
        }
    }

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
