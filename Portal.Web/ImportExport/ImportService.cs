using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Portal.Core.Audits;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Bulk;
using Portal.Data.Entities;
using Portal.Web.Labeling;

namespace Portal.Web.ImportExport;

public sealed record ImportOptions(
    TaskFileFormat Format, CsvColumns? Csv = null, bool ImportValidRows = false, IReadOnlyList<PiiRule>? Masking = null,
    ImportedAnnotations Annotations = ImportedAnnotations.Refuse, ImportMappings? Mappings = null, string? TextField = null);

/// <summary>
/// How an import ended; read = imported + duplicates + rejected + withheld, always. Withheld rows were fine but not
/// imported because the import was atomic and other rows were bad, or because it waits for <see cref="Needed"/>.
/// </summary>
public sealed record ImportSummary(
    Guid JobId, long Read, long Imported, long Duplicates, long Rejected, long Withheld, IReadOnlyList<TaskRowError> Errors, bool Committed, bool AlreadyDone,
    ImportDecisions? Needed = null, string? Warning = null)
{
    /// <summary>Rows imported with something worth a look (a region whose text differs from the task text at its offsets).</summary>
    public IReadOnlyList<TaskRowError> Warnings { get; init; } = [];

    /// <summary>What became of the file's Label Studio annotations and regions; null when it had none.</summary>
    public MigrationSummary? Migration { get; init; }
}

/// <summary>An import's warnings and Label Studio account, as kept with its job (<see cref="DataJob.SummaryJson"/>).</summary>
public sealed record ImportReport(IReadOnlyList<TaskRowError> Warnings, MigrationSummary? Migration)
{
    public static readonly ImportReport None = new([], null);

    /// <summary>Null when there is nothing to tell (a plain import), so plain jobs store nothing.</summary>
    public static ImportReport? Of(IReadOnlyList<TaskRowError> warnings, ImportTally tally) =>
        warnings.Count == 0 && !tally.Any ? null : new ImportReport(warnings, tally.Any ? tally.ToSummary() : null);

    public static ImportReport FromJson(string? json) => json is null ? None : JsonSerializer.Deserialize<ImportReport>(json) ?? None;

    public string ToJson() => JsonSerializer.Serialize(this);
}

/// <summary>
/// Imports tasks into a project (the pipeline behind the <c>import</c> verb): streams the file, masks PII when asked,
/// skips tasks the project already has (by external id, else by content hash, also within the file), turns Label
/// Studio predictions into suggestions, and writes through the <see cref="ImportBulkWriter"/> in batches of a few
/// thousand tasks, each in its own short transaction, so the portal's other writes never wait behind the source.
/// The batches are staged (<see cref="ImportStaging"/>): invisible to the queue until the job commits and publishes
/// them, deleted when it does not. Atomic by default: any bad row and nothing is imported; with
/// <see cref="ImportOptions.ImportValidRows"/> the bad rows are reported and the rest imported. A failure or cancel
/// discards the staged rows; a crash leaves the job Running, and running it again first discards the previous
/// attempt's rows (or, when it crashed while publishing, finishes publishing). The same file again (same idempotency
/// key) finds the finished job and imports nothing twice.
/// </summary>
public sealed class ImportService(IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets, TimeProvider clock, IOptions<LongTextOptions> longText)
{
    private const int KeptErrors = 1000;

    /// <summary>The duplicate keys' hash; null for the default (<see cref="TaskKeys"/>). A test seam: tests make keys collide.</summary>
    internal Func<string, ulong>? TaskKeyOf { get; init; }

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
            var done = ImportReport.FromJson(job.SummaryJson);
            return new ImportSummary(job.Id, job.Processed, job.Succeeded, job.Duplicates, job.Rejected, 0, [], Committed: true, AlreadyDone: true, Warning: job.Message)
            {
                Warnings = done.Warnings, Migration = done.Migration,
            };
        }

        if (job is { State: RunState.Running, CompletedAt: not null })
        {
            // The previous attempt died while publishing: its decision stands, so it is finished, not redone.
            return await PublishAsync(db, job, null, CancellationToken.None);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        job = await StartJobAsync(db, job, projectId, userId, sourceName, idempotencyKey, options, now, ct);
        await ImportStaging.DiscardAsync(db, job.Id, ct);
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        var resolver = await ResolverAsync(db, versionId, userId, options, ct);
        ImportRun run;
        try
        {
            run = await StageAsync(db, files, TaskKeyOf, new ImportContext(project, job.Id, versionId, userId, now, resolver, options, longText.Value.LongTextWarning), progress, ct);
        }
        catch (Exception)
        {
            await DiscardAsync(job.Id);
            throw;
        }

        var needed = resolver.Decisions();
        var commit = run.Read > 0 && !needed.Any && run.Errors.All(e => e.Line > 0) && (run.Rejected == 0 || options.ImportValidRows);
        progress?.Report(run.Read);
        if (commit)
        {
            // Part of the commit, so not cancellable; written before the job records its outcome, so a crash here reruns
            // the import, which finds these annotations already there.
            await using (var writer = new ImportBulkWriter(db, projectId, job.Id, versionId, now))
            {
                await run.AddToExistingTasksAsync(writer, CancellationToken.None);
            }

            return await PublishAsync(db, job, run, CancellationToken.None);
        }

        await DiscardAsync(job.Id);
        return await FinishJobAsync(db, job, run, needed, ct);
    }

    /// <summary>Reads every file and writes its tasks staged, batch by batch.</summary>
    private static async Task<ImportRun> StageAsync(
        PortalDbContext db, IReadOnlyList<ImportFile> files, Func<string, ulong>? keyOf, ImportContext context, IProgress<long>? progress, CancellationToken ct)
    {
        await using var writer = new ImportBulkWriter(db, context.Project.Id, context.JobId, context.VersionId, context.Now);
        var run = new ImportRun(writer, await writer.KnownKeysAsync(keyOf, ct), context);
        foreach (var file in files)
        {
            await run.ReadAsync(file, progress, ct);
        }

        await run.FlushAsync(ct);
        return run;
    }

    /// <summary>On its own context and past any cancel: the staged rows must go even when the import was cancelled.</summary>
    private async Task DiscardAsync(Guid jobId)
    {
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        await ImportStaging.DiscardAsync(db, jobId, CancellationToken.None);
    }

    /// <summary>
    /// Commits the import: records the outcome while the job stays Running (its completion time marks "publishing", so
    /// a crash from here on resumes into publishing, never into discarding), makes the staged tasks available, then
    /// marks the job Succeeded. Not cancellable: once tasks may be served, the import is finished, not undone.
    /// </summary>
    private async Task<ImportSummary> PublishAsync(PortalDbContext db, DataJob job, ImportRun? run, CancellationToken ct)
    {
        if (run is not null)
        {
            job.Processed = run.Read;
            job.Succeeded = run.Imported;
            job.Duplicates = run.Duplicates;
            job.Rejected = run.Rejected;
            job.ErrorReportJson = run.Errors.Count == 0 ? null : JsonSerializer.Serialize(run.Errors);
            job.Message = run.LongTextWarning;
            job.SummaryJson = ImportReport.Of(run.Warnings, run.Tally)?.ToJson();
            job.CompletedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
        }

        await ImportStaging.PublishAsync(db, job.Id, ct);
        job.State = RunState.Succeeded;
        await db.SaveChangesAsync(ct);
        var errors = run?.Errors ?? (job.ErrorReportJson is { } json ? JsonSerializer.Deserialize<List<TaskRowError>>(json) ?? [] : []);
        var report = ImportReport.FromJson(job.SummaryJson);
        return new ImportSummary(job.Id, job.Processed, job.Succeeded, job.Duplicates, job.Rejected, 0, errors, Committed: true, AlreadyDone: false, Warning: job.Message)
        {
            Warnings = report.Warnings, Migration = report.Migration,
        };
    }

    /// <summary>A new job, or the same one again: a job left Running by a crash runs again once its staged rows are discarded.</summary>
    private static async Task<DataJob> StartJobAsync(
        PortalDbContext db, DataJob? job, Guid projectId, Guid userId, string sourceName, string idempotencyKey, ImportOptions options, DateTime now, CancellationToken ct)
    {
        if (job is null)
        {
            job = new DataJob
            {
                Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Import, Format = options.Format.ToString().ToLowerInvariant(),
                IdempotencyKey = idempotencyKey, SourceName = sourceName, CreatedById = userId, CreatedAt = now,
            };
            db.DataJobs.Add(job);
        }

        job.State = RunState.Running;
        job.StartedAt = now;
        job.Processed = job.Succeeded = job.Duplicates = job.Rejected = 0;
        job.Message = null;
        job.PendingJson = null;
        job.CompletedAt = null;
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>The project's current questions and, when people's annotations are imported, its users by e-mail.</summary>
    private async Task<ImportNameResolver> ResolverAsync(PortalDbContext db, Guid versionId, Guid userId, ImportOptions options, CancellationToken ct)
    {
        var questions = (await labelSets.GetAsync(db, versionId, ct))
            .Select(c => new KnownQuestion(c.Name, c.Kind, c.Prompt, [.. c.Labels.Select(l => new KnownLabel(l.Key, l.Name, l.Path, l.IsDeprecated))]));
        var users = options.Annotations == ImportedAnnotations.Annotations
            ? await db.Users.AsNoTracking().Select(u => new { u.Email, u.Id }).ToDictionaryAsync(u => u.Email, u => u.Id, StringComparer.OrdinalIgnoreCase, ct)
            : new Dictionary<string, Guid>();
        return new ImportNameResolver(questions, options.Mappings ?? ImportMappings.None, users, userId);
    }

    /// <summary>Records how an import that was not committed ended (its staged rows are gone) and says so.</summary>
    private async Task<ImportSummary> FinishJobAsync(PortalDbContext db, DataJob job, ImportRun run, ImportDecisions needed, CancellationToken ct)
    {
        var errors = run.Errors;
        job.Processed = run.Read;
        job.Succeeded = 0;
        job.Duplicates = 0;
        job.Rejected = run.Rejected;
        job.ErrorReportJson = errors.Count == 0 ? null : JsonSerializer.Serialize(errors);
        job.SummaryJson = ImportReport.Of(run.Warnings, run.Tally)?.ToJson();
        job.State = needed.Any ? RunState.Waiting : RunState.Failed;
        job.PendingJson = needed.Any ? JsonSerializer.Serialize(needed) : null;
        job.Message = errors.FirstOrDefault(e => e.Line == 0)?.Reason
            ?? (needed.Any ? "The file uses names the project does not know; add or map them to continue."
            : $"{run.Rejected:N0} row(s) have errors, so nothing was imported (the import is all or nothing).");
        job.CompletedAt = needed.Any ? null : clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return new ImportSummary(job.Id, run.Read, 0, 0, run.Rejected, run.Read - run.Rejected, errors, Committed: false, AlreadyDone: false, needed.Any ? needed : null)
        {
            Warnings = run.Warnings, Migration = run.Tally.Any ? run.Tally.ToSummary() : null,
        };
    }

    /// <summary>What every row of one import is read against and written with.</summary>
    private sealed record ImportContext(
        Project Project, Guid JobId, Guid VersionId, Guid UserId, DateTime Now, ImportNameResolver Resolver, ImportOptions Options, int LongText);

    /// <summary>A row of a task the project already has, with what it brings (or, once merged, what it adds).</summary>
    private sealed record ExistingRow(long TaskId, MappedTask Mapped, string FileName);

    /// <summary>A task read, checked and mapped, waiting in memory for its batch.</summary>
    private sealed record PendingTask(string? ExternalId, string Hash, string Text, string? MetadataJson, string? LabelStudioJson, int Target, MappedTask Mapped, string FileName);

    /// <summary>
    /// One import's reading and writing: masks, maps, skips duplicates (by external id, else by content hash, also
    /// within the file) and writes staged batches; counts what it read, imported, skipped and rejected. A batch is
    /// written only once it is complete in memory, so its transaction never waits on the source. A row of a task the
    /// project already has is a duplicate too, but what it brings that the task lacks (<see cref="ExistingTaskMerge"/>)
    /// is kept aside and added when the import commits: those tasks are published already, so staging cannot hide them.
    /// A row is a duplicate only when a task with its id or text is confirmed: <see cref="TaskKeys"/> names candidates,
    /// and each is checked against the batch in memory or the task's stored id and hash.
    /// </summary>
    private sealed class ImportRun(ImportBulkWriter writer, TaskKeys known, ImportContext context)
    {
        /// <summary>A batch's size in text: bounds the memory a batch of large tasks holds.</summary>
        private const long BatchChars = 4 << 20;

        private readonly List<TaskRowError> errors = [];
        private readonly List<TaskRowError> warnings = [];
        private readonly List<PendingTask> pending = [];
        private readonly List<ExistingRow> matched = [];
        private readonly List<ExistingRow> additions = [];

        /// <summary>The external ids and content hashes of <see cref="pending"/>, whose tasks have no id yet to confirm them by.</summary>
        private readonly HashSet<string> pendingIds = new(StringComparer.Ordinal);
        private readonly HashSet<string> pendingHashes = new(StringComparer.Ordinal);

        /// <summary>Tasks this import adds to, as they will be, for a later row of the same task.</summary>
        private readonly Dictionary<long, ExistingTask> addedTo = [];
        private long pendingChars;

        public long Read { get; private set; }

        public long Imported { get; private set; }

        public long Duplicates { get; private set; }

        public long Rejected { get; private set; }

        public IReadOnlyList<TaskRowError> Errors => errors;

        /// <summary>Imported tasks longer than the warning length (<see cref="LongTextOptions"/>), and the longest of them.</summary>
        private long longTexts;
        private int longest;

        /// <summary>What the import summary says about long tasks; null when there are none.</summary>
        public string? LongTextWarning => longTexts == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{longTexts:N0} task(s) are longer than {context.LongText:N0} characters (the longest has {longest:N0}). They are imported and open in a scrollable pane, but they are slow to label: consider splitting them.");

        public IReadOnlyList<TaskRowError> Warnings => warnings;

        /// <summary>The Label Studio account of the rows accepted (imported or merged).</summary>
        public ImportTally Tally { get; } = new();

        /// <summary>Nothing of this import will be committed (a bad row of an atomic import, an unknown name): writing stops.</summary>
        private bool Doomed => context.Resolver.Waiting || (Rejected > 0 && !context.Options.ImportValidRows);

        public async Task ReadAsync(ImportFile file, IProgress<long>? progress, CancellationToken ct)
        {
            await using var stream = await file.OpenAsync(ct);
            var fileRows = 0L;
            var keysBefore = known.Count;
            await foreach (var item in TaskFileReader.ReadAsync(stream, file.Name, context.Options.Format, context.Options.Csv, context.Options.TextField, ct))
            {
                if (item is TaskRowError { Line: 0 } fileError)
                {
                    // About the whole file (empty, no header): not a row.
                    errors.Add(fileError);
                    continue;
                }

                Read++;
                if (++fileRows == SizingRows)
                {
                    ReserveKeys(file, stream, known.Count - keysBefore);
                }

                if (item is TaskRowError error)
                {
                    Reject(error);
                }
                else if (item is TaskRecord record)
                {
                    await AddAsync(record, file.Name, ct);
                }

                if (pending.Count + matched.Count >= ImportStaging.Batch || pendingChars >= BatchChars)
                {
                    await FlushAsync(ct);
                }

                if (Read % 1000 == 0)
                {
                    progress?.Report(Read);
                }
            }
        }

        /// <summary>
        /// Sizes the duplicate keys for the whole file once its first rows show how long a row is and how many keys a row
        /// adds (a duplicate adds none), so the table does not double late in a large file: the old table and one twice
        /// its size together were the import's memory peak. Only for files whose length and position are known; the
        /// reader reads ahead, so this errs on the small side, and the table still grows if the rest of the file differs.
        /// </summary>
        private void ReserveKeys(ImportFile file, Stream stream, long added)
        {
            if (!stream.CanSeek || stream.Position <= 0 || added <= 0)
            {
                return;
            }

            var length = file.Length ?? stream.Length;
            var expected = known.Count + (added * (length - stream.Position) / stream.Position);
            known.Reserve((int)Math.Min(expected, MaxReservedKeys));
        }

        /// <summary>Rows read before the key table is sized for the file.</summary>
        private const int SizingRows = 16_384;

        /// <summary>
        /// A cap on a reservation made from an estimate (4 M keys, 96 MB of slots), in case a file's first rows are far
        /// shorter than the rest; a bigger file still grows the table as it goes.
        /// </summary>
        private const long MaxReservedKeys = 1L << 22;

        /// <summary>Writes the waiting tasks in one short transaction (or drops them when the import is doomed).</summary>
        public async Task FlushAsync(CancellationToken ct)
        {
            await MergeAsync(ct);
            if (pending.Count > 0 && !Doomed)
            {
                await writer.BeginBatchAsync(ct);
                foreach (var task in pending)
                {
                    await WriteAsync(task, ct);
                }

                await writer.CommitBatchAsync(ct);
            }

            pending.Clear();
            pendingIds.Clear();
            pendingHashes.Clear();
            pendingChars = 0;
        }

        private async Task AddAsync(TaskRecord record, string fileName, CancellationToken ct)
        {
            var options = context.Options;
            var masked = options.Masking is { Count: > 0 } rules ? PiiMasking.Mask(record.Text, rules) : new PiiMasked(record.Text, []);
            var mapped = LabelStudioMapping.Map(record, masked, context.Resolver, options.Annotations, context.Now, out var mappingError);
            if (mappingError is not null)
            {
                Reject(mappingError);
                return;
            }

            if (context.Resolver.Waiting)
            {
                // Once a name is unknown nothing is committed: the rest of the file is only read, to list every unknown name at once.
                return;
            }

            var hash = ContentHash.Of(masked.Text);
            var existing = record.ExternalId is { } id
                ? await ExistingAsync(known.ByExternalId(id), pendingIds, id, byId: true, ct)
                : await ExistingAsync(known.ByHash(hash), pendingHashes, hash, byId: false, ct);
            if (existing is { } existingId)
            {
                Duplicates++;
                if (existingId > 0 && mapped.HasRows)
                {
                    // A task the project already has: what the row brings that it lacks is added (merged by batch).
                    Accept(mapped);
                    matched.Add(new ExistingRow(existingId, mapped, fileName));
                }

                return;
            }

            if (record.ExternalId is { } newId)
            {
                known.AddExternalId(newId);
                pendingIds.Add(newId);
            }

            // With an id too: later rows without an id but with the same text are duplicates of this one.
            known.AddHash(hash);
            pendingHashes.Add(hash);

            var target = Coverage.TargetAnnotations(hash, context.Project.AnnotatorsPerTask, context.Project.CoveragePercent);
            Imported++;
            if (masked.Text.Length > context.LongText)
            {
                longTexts++;
                longest = Math.Max(longest, masked.Text.Length);
            }

            Accept(mapped);
            if (!Doomed)
            {
                pending.Add(new PendingTask(record.ExternalId, hash, masked.Text, record.MetadataJson, record.LabelStudioJson, target, mapped, fileName));
                pendingChars += masked.Text.Length + (record.MetadataJson?.Length ?? 0);
            }
        }

        /// <summary>
        /// The task a row with this id or text duplicates: null for none, 0 for one this import adds, else the project's
        /// task that had the key first. Candidates are confirmed in the order they were added.
        /// </summary>
        private async Task<long?> ExistingAsync(IReadOnlyList<long> candidates, HashSet<string> inBatch, string value, bool byId, CancellationToken ct)
        {
            foreach (var taskId in candidates)
            {
                if (taskId == TaskKeys.Unwritten)
                {
                    // A row of this batch; or, once the import is doomed, a row that was never written: nothing is committed
                    // then, so it is taken for the duplicate it almost surely is rather than kept in memory to compare.
                    if (inBatch.Contains(value) || Doomed)
                    {
                        return 0;
                    }
                }
                else if (await writer.TaskKeyAsync(taskId, ct) is { } stored && (byId ? stored.ExternalId : stored.ContentHash) == value)
                {
                    return stored.ThisImport ? 0 : taskId;
                }
            }

            return null;
        }

        private async Task WriteAsync(PendingTask task, CancellationToken ct)
        {
            var (mapped, userId) = (task.Mapped, context.UserId);
            var done = mapped.Annotations.Count;
            var taskId = await writer.InsertTaskAsync(task.ExternalId, task.Hash, task.Text, task.MetadataJson, Math.Max(task.Target, done), done, mapped.Gold, task.LabelStudioJson, ct);
            known.Written(task.ExternalId, task.Hash, taskId);
            foreach (var prediction in mapped.Predictions)
            {
                await writer.InsertPredictionAsync(taskId, prediction.Model, prediction.Score, prediction.Result.ToJson(), prediction.SourceJson, ct);
            }

            if (mapped.Truth is { } truth)
            {
                await writer.InsertGroundTruthAsync(taskId, truth.ToJson(), userId, mapped.TruthSourceJson, ct);
                if (mapped.Gold)
                {
                    await writer.InsertGoldAnswerAsync(taskId, truth.ToJson(), userId, task.FileName, ct);
                }
            }

            foreach (var annotation in mapped.Annotations)
            {
                await writer.InsertAnnotationAsync(taskId, annotation, task.FileName, ct);
            }
        }

        /// <summary>Compares the batch's rows of existing tasks with what those tasks hold; keeps what is new for the commit.</summary>
        private async Task MergeAsync(CancellationToken ct)
        {
            if (matched.Count > 0 && !Doomed)
            {
                var tasks = await ImportExistingTasks.LoadAsync(writer.Db, [.. matched.Select(m => m.TaskId).Where(id => !addedTo.ContainsKey(id))], ct);
                foreach (var row in matched)
                {
                    var task = addedTo.GetValueOrDefault(row.TaskId) ?? tasks[row.TaskId];
                    var (added, after) = ExistingTaskMerge.Merge(row.Mapped, task, context.Options.Annotations, Tally);
                    if (added is not null)
                    {
                        additions.Add(row with { Mapped = added });
                        addedTo[row.TaskId] = after;
                    }
                }
            }

            matched.Clear();
        }

        /// <summary>
        /// Writes what rows added to tasks the project already has, batch by batch, and counts the annotations in the
        /// tasks' counters. A person who annotated the task in Portal since the row was compared keeps theirs (counted).
        /// </summary>
        public async Task AddToExistingTasksAsync(ImportBulkWriter existingWriter, CancellationToken ct)
        {
            foreach (var chunk in additions.Chunk(ImportStaging.Batch))
            {
                await existingWriter.BeginBatchAsync(ct);
                foreach (var (taskId, added, fileName) in chunk)
                {
                    await AddAsync(existingWriter, taskId, added, fileName, ct);
                }

                await existingWriter.CommitBatchAsync(ct);
            }
        }

        private async Task AddAsync(ImportBulkWriter existingWriter, long taskId, MappedTask added, string fileName, CancellationToken ct)
        {
            foreach (var prediction in added.Predictions)
            {
                await existingWriter.InsertPredictionAsync(taskId, prediction.Model, prediction.Score, prediction.Result.ToJson(), prediction.SourceJson, ct);
            }

            if (added.Truth is { } truth)
            {
                await existingWriter.InsertGroundTruthAsync(taskId, truth.ToJson(), context.UserId, added.TruthSourceJson, ct);
            }

            var count = 0;
            foreach (var annotation in added.Annotations)
            {
                if (await existingWriter.Db.Annotations.AnyAsync(a => a.TaskId == taskId && a.UserId == annotation.UserId, ct))
                {
                    Tally.AnnotationsImported--;
                    Tally.AnnotationsAddedToExistingTasks--;
                    Tally.NotImported(ExistingTaskMerge.PersonAlreadyAnnotated);
                    continue;
                }

                await existingWriter.InsertAnnotationAsync(taskId, annotation, fileName, ct);
                count++;
            }

            if (count > 0)
            {
                await ImportExistingTasks.AddedAsync(existingWriter.Db, taskId, count, ct);
            }
        }

        private void Accept(MappedTask mapped)
        {
            if (mapped.Tally is { } tally)
            {
                Tally.Add(tally);
            }

            warnings.AddRange(mapped.Warnings.Take(KeptErrors - warnings.Count));
        }

        private void Reject(TaskRowError error)
        {
            Rejected++;
            if (errors.Count < KeptErrors)
            {
                errors.Add(error);
            }
        }
    }
}
