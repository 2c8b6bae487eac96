using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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
/// Studio predictions into suggestions, and inserts through the <see cref="ImportBulkWriter"/> in one transaction. Atomic by default:
/// any bad row and nothing is imported; with <see cref="ImportOptions.ImportValidRows"/> the bad rows are reported and
/// the rest imported. A crash leaves no half import (the transaction never commits), and the same file again (same
/// idempotency key) finds the finished job and imports nothing twice.
/// </summary>
public sealed class ImportService(IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets, TimeProvider clock)
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
        job = await StartJobAsync(db, job, projectId, userId, sourceName, idempotencyKey, options, now, ct);
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        var resolver = await ResolverAsync(db, versionId, options, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await using var writer = new ImportBulkWriter(db, tx, projectId, job.Id, versionId, now);
        var run = new ImportRun(writer, await writer.KnownKeysAsync(ct), resolver, options, project, userId, now);
        foreach (var file in files)
        {
            await run.ReadAsync(file, progress, ct);
        }

        var needed = resolver.Decisions();
        var commit = run.Read > 0 && !needed.Any && run.Errors.All(e => e.Line > 0) && (run.Rejected == 0 || options.ImportValidRows);
        if (commit)
        {
            await tx.CommitAsync(ct);
        }
        else
        {
            await tx.RollbackAsync(ct);
        }

        progress?.Report(run.Read);
        return await FinishJobAsync(db, job, run, commit, needed, ct);
    }

    /// <summary>A new job, or the same one again: a job left Running by a crash simply runs again, as its transaction never committed.</summary>
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
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>The project's current questions and, when people's annotations are imported, its users by e-mail.</summary>
    private async Task<ImportNameResolver> ResolverAsync(PortalDbContext db, Guid versionId, ImportOptions options, CancellationToken ct)
    {
        var questions = (await labelSets.GetAsync(db, versionId, ct))
            .Select(c => new KnownQuestion(c.Name, c.Kind, c.Prompt, [.. c.Labels.Select(l => new KnownLabel(l.Key, l.Name, l.Path, l.IsDeprecated))]));
        var users = options.Annotations == ImportedAnnotations.Annotations
            ? await db.Users.AsNoTracking().Select(u => new { u.Email, u.Id }).ToDictionaryAsync(u => u.Email, u => u.Id, StringComparer.OrdinalIgnoreCase, ct)
            : new Dictionary<string, Guid>();
        return new ImportNameResolver(questions, options.Mappings ?? ImportMappings.None, users);
    }

    /// <summary>Records how the import ended on its job (outside the rolled-back transaction) and says so.</summary>
    private async Task<ImportSummary> FinishJobAsync(PortalDbContext db, DataJob job, ImportRun run, bool commit, ImportDecisions needed, CancellationToken ct)
    {
        var (imported, duplicates, withheld) = commit ? (run.Imported, run.Duplicates, 0L) : (0L, 0L, run.Read - run.Rejected);
        var errors = run.Errors;
        job.Processed = run.Read;
        job.Succeeded = imported;
        job.Duplicates = duplicates;
        job.Rejected = run.Rejected;
        job.ErrorReportJson = errors.Count == 0 ? null : JsonSerializer.Serialize(errors);
        job.State = commit ? RunState.Succeeded : needed.Any ? RunState.Waiting : RunState.Failed;
        job.PendingJson = needed.Any ? JsonSerializer.Serialize(needed) : null;
        job.Message = errors.FirstOrDefault(e => e.Line == 0)?.Reason
            ?? (needed.Any ? "The file uses names the project does not know; add or map them to continue."
            : commit ? null : $"{run.Rejected:N0} row(s) have errors, so nothing was imported (the import is all or nothing).");
        job.CompletedAt = needed.Any ? null : clock.GetUtcNow().UtcDateTime;

        db.ChangeTracker.Clear();
        db.DataJobs.Attach(job);
        db.Entry(job).State = EntityState.Modified;
        await db.SaveChangesAsync(ct);
        return new ImportSummary(job.Id, run.Read, imported, duplicates, run.Rejected, withheld, errors, commit, AlreadyDone: false, needed.Any ? needed : null);
    }

    /// <summary>
    /// One import's reading and writing inside its transaction: masks, maps, skips duplicates (by external id, else
    /// by content hash, also within the file) and writes; counts what it read, imported, skipped and rejected.
    /// </summary>
    private sealed class ImportRun(
        ImportBulkWriter writer, TaskKeys known, ImportNameResolver resolver, ImportOptions options, Project project, Guid userId, DateTime now)
    {
        private readonly List<TaskRowError> errors = [];

        public long Read { get; private set; }

        public long Imported { get; private set; }

        public long Duplicates { get; private set; }

        public long Rejected { get; private set; }

        public IReadOnlyList<TaskRowError> Errors => errors;

        public async Task ReadAsync(ImportFile file, IProgress<long>? progress, CancellationToken ct)
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

                Read++;
                if (item is TaskRowError error)
                {
                    Reject(error);
                }
                else if (item is TaskRecord record)
                {
                    await AddAsync(record, file.Name, ct);
                }

                if (Read % 1000 == 0)
                {
                    progress?.Report(Read);
                }
            }
        }

        private async Task AddAsync(TaskRecord record, string fileName, CancellationToken ct)
        {
            var masked = options.Masking is { Count: > 0 } rules ? PiiMasking.Mask(record.Text, rules) : new PiiMasked(record.Text, []);
            var mapped = LabelStudioMapping.Map(record, masked, resolver, options.Annotations, now, out var mappingError);
            if (mappingError is not null)
            {
                Reject(mappingError);
                return;
            }

            if (resolver.Waiting)
            {
                // Once a name is unknown nothing is committed: the rest of the file is only read, to list every unknown name at once.
                return;
            }

            var hash = ContentHash.Of(masked.Text);
            if (!(record.ExternalId is { } id ? known.AddExternalId(id) : known.AddHash(hash)))
            {
                Duplicates++;
                return;
            }

            if (record.ExternalId is not null)
            {
                // Later rows without an id but with the same text are duplicates of this one.
                known.AddHash(hash);
            }

            var target = Coverage.TargetAnnotations(hash, project.AnnotatorsPerTask, project.CoveragePercent);
            var done = mapped.Annotations.Count;
            var taskId = await writer.InsertTaskAsync(record.ExternalId, hash, masked.Text, record.MetadataJson, Math.Max(target, done), done, mapped.HasRows, mapped.Gold, ct);
            foreach (var (model, result) in mapped.Predictions)
            {
                await writer.InsertPredictionAsync(taskId, model, result.ToJson(), ct);
            }

            if (mapped.Truth is { } truth)
            {
                await writer.InsertGroundTruthAsync(taskId, truth.ToJson(), userId, ct);
                if (mapped.Gold)
                {
                    await writer.InsertGoldAnswerAsync(taskId, truth.ToJson(), userId, fileName, ct);
                }
            }

            foreach (var annotation in mapped.Annotations)
            {
                await writer.InsertAnnotationAsync(taskId, annotation, fileName, ct);
            }

            Imported++;
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
