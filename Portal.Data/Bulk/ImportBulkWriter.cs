using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.Audits;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Review;

namespace Portal.Data.Bulk;

/// <summary>The import's statements for one provider (tests parse the SQL Server ones with Microsoft's T-SQL parser).</summary>
public sealed record ImportStatements(
    string Keys, string TaskKey, string InsertTask, string InsertTaskWithId, string InsertPrediction, string InsertTruth, string InsertAnnotation, string InsertSpan,
    string InsertAnswer, string InsertRevision, string InsertGold)
{
    public IEnumerable<string> All => [Keys, TaskKey, InsertTask, InsertTaskWithId, InsertPrediction, InsertTruth, InsertAnnotation, InsertSpan, InsertAnswer, InsertRevision, InsertGold];
}

/// <summary>
/// Writes an import's tasks and their rows with prepared commands in short batch transactions (<see cref="BeginBatchAsync"/>,
/// <see cref="CommitBatchAsync"/>): no change tracking over a million rows, one statement text per provider, values in
/// the form each provider stores them. Tasks are written staged: unavailable (the queue never serves them) and tied
/// to the job, until the job publishes them.
/// </summary>
public sealed class ImportBulkWriter : IAsyncDisposable
{
    private readonly bool sqlite;
    private readonly PortalDbContext db;
    private readonly DbCommand[] commands;
    private IDbContextTransaction? batch;
    private readonly DbCommand keys;
    private readonly DbCommand taskKey;
    private readonly DbCommand insertTaskWithId;
    private readonly DbCommand insertPrediction;
    private readonly DbCommand insertTruth;
    private readonly DbCommand insertAnnotation;
    private readonly DbCommand insertSpan;
    private readonly DbCommand insertAnswer;
    private readonly DbCommand insertRevision;
    private readonly DbCommand insertGold;
    private readonly Guid projectId;
    private readonly object project;
    private readonly object version;
    private readonly object created;
    private readonly object job;

    public ImportBulkWriter(PortalDbContext db, Guid projectId, Guid jobId, Guid versionId, DateTime now)
    {
        this.db = db;
        this.projectId = projectId;
        sqlite = db.Database.IsSqlite();
        project = Value(projectId);
        version = Value(versionId);
        job = Value(jobId);
        created = Date(now);
        var connection = db.Database.GetDbConnection();
        DbCommand Command(string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            return command;
        }

        var sql = Statements(sqlite);
        keys = Command(sql.Keys, "@p");
        taskKey = Command(sql.TaskKey, "@task", "@j");
        insertTaskWithId = Command(sql.InsertTaskWithId, "@p", "@e", "@h", "@t", "@m", "@n", "@d", "@j", "@c", "@g", "@ls");
        insertPrediction = Command(sql.InsertPrediction, "@task", "@model", "@sc", "@r", "@c", "@ls");
        insertTruth = Command(sql.InsertTruth, "@task", "@p", "@v", "@r", "@s", "@u", "@c", "@ls");
        insertAnnotation = Command(sql.InsertAnnotation, "@p", "@task", "@u", "@v", "@l", "@c", "@up", "@ls");
        insertSpan = Command(sql.InsertSpan, "@a", "@q", "@k", "@s", "@e");
        insertAnswer = Command(sql.InsertAnswer, "@a", "@q", "@k");
        insertRevision = Command(sql.InsertRevision, "@a", "@c", "@u", "@v", "@r", "@n");
        insertGold = Command(sql.InsertGold, "@task", "@p", "@v", "@r", "@u", "@c", "@d");
        commands = [keys, taskKey, insertTaskWithId, insertPrediction, insertTruth, insertAnnotation, insertSpan, insertAnswer, insertRevision, insertGold];
    }

    /// <summary>The statements as sent to SQLite or to SQL Server.</summary>
    public static ImportStatements Statements(bool sqlite)
    {
        var identity = sqlite ? " SELECT last_insert_rowid();" : " SELECT CAST(SCOPE_IDENTITY() AS bigint);";
        const string insert =
            "INSERT INTO Tasks (ProjectId, ExternalId, ContentHash, Text, MetadataJson, LabelStudioJson, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, ImportJobId, CreatedAt, Version) " +
            "VALUES (@p, @e, @h, @t, @m, @ls, 0, @g, 0, @n, @d, @d, 0, @j, @c, 0);";
        return new ImportStatements(
            "SELECT t.ExternalId, t.ContentHash, t.Id FROM Tasks t WHERE t.ProjectId = @p AND (t.ImportJobId IS NULL OR EXISTS (SELECT 1 FROM DataJobs j " +
            $"WHERE j.Id = t.ImportJobId AND (j.State = {(int)RunState.Succeeded} OR (j.State = {(int)RunState.Running} AND j.CompletedAt IS NOT NULL))))",
            "SELECT t.ExternalId, t.ContentHash, CASE WHEN t.ImportJobId = @j THEN 1 ELSE 0 END FROM Tasks t WHERE t.Id = @task",
            insert,
            insert + identity,
            "INSERT INTO Predictions (TaskId, ModelVersion, Score, ResultJson, LabelStudioJson, CreatedAt) VALUES (@task, @model, @sc, @r, @ls, @c)",
            "INSERT INTO GroundTruths (TaskId, ProjectId, TaxonomyVersionId, ResultJson, LabelStudioJson, Source, \"Rule\", DecidedById, AgreeingAnnotatorsJson, Agreement, ReasonCode, Note, DecidedAt, Version) " +
            "VALUES (@task, @p, @v, @r, @ls, @s, 'imported', @u, NULL, NULL, 0, NULL, @c, 0)",
            "INSERT INTO Annotations (ProjectId, TaskId, UserId, Round, TaxonomyVersionId, Status, SkipReason, ReviewComment, ReviewRequested, Source, LeadTimeMs, LabelStudioJson, CreatedAt, UpdatedAt, SubmittedAt, Version) " +
            $"VALUES (@p, @task, @u, 0, @v, {(int)AnnotationStatus.Submitted}, NULL, NULL, 0, {(int)Portal.Core.Audits.AnnotationSource.Import}, @l, @ls, @c, @up, @up, 0);" + identity,
            "INSERT INTO AnnotationSpans (AnnotationId, ControlName, LabelKey, Start, \"End\") VALUES (@a, @q, @k, @s, @e)",
            "INSERT INTO AnnotationAnswers (AnnotationId, ControlName, LabelKey) VALUES (@a, @q, @k)",
            "INSERT INTO AnnotationRevisions (AnnotationId, Number, ChangedAt, ChangedById, Reason, Status, TaxonomyVersionId, ResultJson, Note) " +
            $"VALUES (@a, 1, @c, @u, {(int)RevisionReason.Import}, {(int)AnnotationStatus.Submitted}, @v, @r, @n)",
            "INSERT INTO GoldAnswers (TaskId, ProjectId, TaxonomyVersionId, ResultJson, MarkedById, MarkedAt) VALUES (@task, @p, @v, @r, @u, @c); " +
            "INSERT INTO TaskEvents (ProjectId, TaskId, At, Kind, ActorId, Agreement, Detail) " +
            $"VALUES (@p, @task, @c, {(int)TaskEventKind.MarkedGold}, @u, NULL, @d)");
    }

    /// <summary>
    /// The project's external ids and content hashes with their task ids, for duplicate detection in memory and for
    /// a re-import to find the task: its tasks, less those other imports have staged but not yet decided to publish
    /// (they may still be discarded; a publishing job's count).
    /// </summary>
    /// <param name="keyOf">The keys' hash (<see cref="TaskKeys"/>); null for the default.</param>
    public async Task<TaskKeys> KnownKeysAsync(Func<string, ulong>? keyOf, CancellationToken ct)
    {
        // Every task has a content hash and most an external id too.
        var known = new TaskKeys(keyOf, expected: 2 * await db.Tasks.CountAsync(t => t.ProjectId == projectId, ct));
        await db.Database.OpenConnectionAsync(ct);
        keys.Parameters[0].Value = project;
        await using var reader = await keys.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var taskId = reader.GetInt64(2);
            if (!reader.IsDBNull(0))
            {
                known.AddExternalId(reader.GetString(0), taskId);
            }

            known.AddHash(reader.GetString(1), taskId);
        }

        return known;
    }

    /// <summary>
    /// A task's external id and content hash, to confirm a duplicate candidate (<see cref="TaskKeys"/>), and whether this
    /// import wrote it; null when the task is gone.
    /// </summary>
    public async Task<(string? ExternalId, string ContentHash, bool ThisImport)?> TaskKeyAsync(long taskId, CancellationToken ct)
    {
        taskKey.Parameters[0].Value = taskId;
        taskKey.Parameters[1].Value = job;
        await using var reader = await taskKey.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.GetInt32(2) == 1) : null;
    }

    /// <summary>
    /// Inserts a staged task with <paramref name="done"/> submitted annotations and returns its id (rows for it may follow,
    /// and a later duplicate candidate is confirmed by it). A gold task's target is <see cref="GoldTasks.Target"/>: once
    /// published every annotator gets it once.
    /// </summary>
    public async Task<long> InsertTaskAsync(
        string? externalId, string hash, string text, string? metadata, int target, int done, bool gold, string? labelStudio, CancellationToken ct)
    {
        target = gold ? GoldTasks.Target : target;
        var p = insertTaskWithId.Parameters;
        p[0].Value = project;
        p[1].Value = (object?)externalId ?? DBNull.Value;
        p[2].Value = hash;
        p[3].Value = text;
        p[4].Value = (object?)metadata ?? DBNull.Value;
        p[5].Value = target;
        p[6].Value = done;
        p[7].Value = job;
        p[8].Value = created;
        p[9].Value = gold;
        p[10].Value = (object?)labelStudio ?? DBNull.Value;
        return Convert.ToInt64(await insertTaskWithId.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    public async Task InsertPredictionAsync(long taskId, string model, double? score, string json, string? labelStudio, CancellationToken ct)
    {
        var p = insertPrediction.Parameters;
        p[0].Value = taskId;
        p[1].Value = model;
        p[2].Value = (object?)score ?? DBNull.Value;
        p[3].Value = json;
        p[4].Value = created;
        p[5].Value = (object?)labelStudio ?? DBNull.Value;
        await insertPrediction.ExecuteNonQueryAsync(ct);
    }

    public async Task InsertGroundTruthAsync(long taskId, string json, Guid userId, string? labelStudio, CancellationToken ct)
    {
        var p = insertTruth.Parameters;
        p[0].Value = taskId;
        p[1].Value = project;
        p[2].Value = version;
        p[3].Value = json;
        p[4].Value = (int)GroundTruthSource.Imported;
        p[5].Value = Value(userId);
        p[6].Value = created;
        p[7].Value = (object?)labelStudio ?? DBNull.Value;
        await insertTruth.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The task's expected answer as a gold task (the import's ground truth), with the task event that says so.</summary>
    public async Task InsertGoldAnswerAsync(long taskId, string json, Guid userId, string fileName, CancellationToken ct)
    {
        var p = insertGold.Parameters;
        p[0].Value = taskId;
        p[1].Value = project;
        p[2].Value = version;
        p[3].Value = json;
        p[4].Value = Value(userId);
        p[5].Value = created;
        p[6].Value = $"Imported as gold from {fileName}: its ground truth is the expected answer every annotator is scored against.";
        await insertGold.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A submitted annotation with its spans, answers and a first revision that says it was imported.</summary>
    public async Task InsertAnnotationAsync(long taskId, MappedAnnotation annotation, string fileName, CancellationToken ct)
    {
        var p = insertAnnotation.Parameters;
        p[0].Value = project;
        p[1].Value = taskId;
        p[2].Value = Value(annotation.UserId);
        p[3].Value = version;
        p[4].Value = annotation.LeadTimeMs;
        p[5].Value = Date(annotation.Created);
        p[6].Value = Date(annotation.Updated);
        p[7].Value = (object?)annotation.SourceJson ?? DBNull.Value;
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

    /// <summary>The database this writer writes to, for the reads and updates a batch makes beside its inserts.</summary>
    public PortalDbContext Db => db;

    /// <summary>Starts a batch's transaction; the writes until <see cref="CommitBatchAsync"/> go into it.</summary>
    public async Task BeginBatchAsync(CancellationToken ct)
    {
        batch = await db.Database.BeginTransactionAsync(ct);
        var transaction = batch.GetDbTransaction();
        foreach (var command in commands)
        {
            command.Transaction = transaction;
        }
    }

    public async Task CommitBatchAsync(CancellationToken ct)
    {
        await (batch ?? throw new InvalidOperationException("No batch was begun.")).CommitAsync(ct);
        await EndBatchAsync();
        // Annotators' saves that waited for this batch go before the next one.
        await SqliteWriters.YieldAsync(db, ct);
    }

    /// <summary>Rolls back a batch left open by a failure.</summary>
    public async ValueTask DisposeAsync()
    {
        await EndBatchAsync();
        foreach (var command in commands)
        {
            await command.DisposeAsync();
        }
    }

    private async ValueTask EndBatchAsync()
    {
        if (batch is not null)
        {
            await batch.DisposeAsync();
            batch = null;
            foreach (var command in commands)
            {
                command.Transaction = null;
            }
        }
    }

    private object Value(Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;

    private object Date(DateTime date) => sqlite ? date.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : date;
}
