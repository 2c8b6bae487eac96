using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Auth;
using Portal.Web.Jobs;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Taxonomy;

namespace Portal.Web.ImportExport;

/// <summary>A label the import adds to the label set, in the question it was found in.</summary>
public sealed record AddedLabel(string Question, string Name);

/// <summary>What a manager decided about an import's unknown names: labels to add, and mappings for the rest.</summary>
public sealed record ImportResolution(IReadOnlyList<AddedLabel> Add, ImportMappings Mappings);

/// <summary>
/// Imports and exports as a manager starts and follows them in the browser (and pipelines through the same calls):
/// every call checks the caller is a manager of the project; jobs are durable runs (<see cref="DurableRunner"/>, in the
/// background on Hangfire) kept in the DataJobs table, so the page shows them again after a reload and a restart
/// resumes them. Every change is pushed to open pages through <see cref="RunNotifier"/>.
/// </summary>
public sealed class DataJobService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, DataFiles files, RunRegistry registry, RunNotifier notifier, IDataJobQueue queue,
    TaxonomyService taxonomies, BlobSource blobs, AuditLog audit, TimeProvider clock)
{
    private const int Listed = 25;

    public IReadOnlyList<string> BlobAccounts => blobs.AccountNames;

    public async Task<string> ProjectNameAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        return await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
    }

    public async Task<StagedUpload> UploadAsync(PortalPrincipal user, Guid projectId, string fileName, Stream body, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        }

        return await files.SaveUploadAsync(projectId, user.UserId, fileName, body, ct);
    }

    /// <summary>
    /// Starts an import; the same <paramref name="requestKey"/> again (a double click, a retried request) returns the
    /// job it already started.
    /// </summary>
    public async Task<Guid> StartImportAsync(PortalPrincipal user, Guid projectId, ImportSpec spec, string requestKey, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var key = Key(projectId, requestKey);
        if (await ExistingAsync(db, key, ct) is { } existing)
        {
            return existing;
        }

        _ = spec.ToOptions();
        if (spec.Format == TaskFileFormat.Csv && string.IsNullOrWhiteSpace(spec.Csv?.TextColumn))
        {
            throw new DataFormatException("Choose the CSV column that holds the text.");
        }

        var (source, bytes) = await DescribeSourceAsync(spec.Source, projectId, ct);
        var job = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Import, Format = spec.Format.ToString().ToLowerInvariant(),
            State = RunState.Queued, OptionsJson = spec.ToJson(), SourceName = Truncate(source, 1000), IdempotencyKey = key,
            BytesTotal = bytes, CreatedById = user.UserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.DataJobs.Add(job);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "data.import.start", "DataJob", job.Id.ToString(), projectId, $"{spec.Format} from {spec.Source.Kind}: {job.SourceName}"));
        if (!await SaveNewAsync(db, ct))
        {
            return (await ExistingAsync(db, key, ct))!.Value;
        }

        await EnqueueAsync(job, ct);
        return job.Id;
    }

    /// <summary>The source's name as the page shows it and its size when known; an error when it cannot be used.</summary>
    private async Task<(string Name, long Bytes)> DescribeSourceAsync(ImportSource source, Guid projectId, CancellationToken ct)
    {
        switch (source.Kind)
        {
            case ImportSourceKind.Upload:
                var upload = await files.FindUploadAsync(source.UploadId ?? Guid.Empty, projectId, ct)
                    ?? throw new DataFormatException("The uploaded file is no longer there; upload it again.");
                return (upload.Name, upload.Length);
            case ImportSourceKind.Url:
                return (UrlSource.Parse(source.Url ?? "").ToString(), 0);
            case ImportSourceKind.Blob:
                if (!blobs.AccountNames.Contains(source.Account ?? "", StringComparer.OrdinalIgnoreCase))
                {
                    throw new DataFormatException($"There is no Azure storage account \"{source.Account}\" configured for imports.");
                }

                return string.IsNullOrWhiteSpace(source.Container) ? throw new DataFormatException("Name the container to import from.") : (source.Describe(), 0);
            default:
                throw new DataFormatException("Choose where to import from.");
        }
    }

    public async Task<Guid> StartExportAsync(PortalPrincipal user, Guid projectId, ExportOptions options, string requestKey, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var key = Key(projectId, requestKey);
        if (await ExistingAsync(db, key, ct) is { } existing)
        {
            return existing;
        }

        if (options.Problem is { } problem)
        {
            throw new ValidationException(problem.Field, problem.Message);
        }

        var job = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Export, Format = options.Format.ToString(),
            State = RunState.Queued, OptionsJson = JsonSerializer.Serialize(options, ImportSpec.Json), IdempotencyKey = key,
            SourceName = options.TaskIds is { } selected ? $"{options.Filter}, {selected.Count} selected task(s)" : options.Filter.ToString(), CreatedById = user.UserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.DataJobs.Add(job);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "data.export.start", "DataJob", job.Id.ToString(), projectId,
            $"{options.Format}, {options.Filter}, {(options.IncludeAnnotators ? "with" : "without")} annotator identities{(options.UnannotatedAsO ? ", tasks without results as all-O documents" : "")}{(options.TaskIds is { } ids ? $", {ids.Count} selected task(s)" : "")}"));
        if (!await SaveNewAsync(db, ct))
        {
            return (await ExistingAsync(db, key, ct))!.Value;
        }

        await EnqueueAsync(job, ct);
        return job.Id;
    }

    /// <summary>The project's latest imports and exports, newest first, with live progress for those running here.</summary>
    public async Task<IReadOnlyList<DataJobView>> ListAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var rows = await db.DataJobs.AsNoTracking().Where(j => j.ProjectId == projectId && (j.Kind == RunKind.Import || j.Kind == RunKind.Export)).OrderByDescending(j => j.CreatedAt).Take(Listed)
            .Select(j => new { Job = j, By = db.Users.Where(u => u.Id == j.CreatedById).Select(u => u.DisplayName).FirstOrDefault() })
            .ToListAsync(ct);
        return [.. rows.Select(r => View(r.Job, r.By ?? "someone"))];
    }

    public async Task<DataJobView> GetAsync(PortalPrincipal user, Guid projectId, Guid jobId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var job = await db.DataJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId && j.ProjectId == projectId, ct) ?? throw new NotFoundException("The import or export");
        var by = await db.Users.Where(u => u.Id == job.CreatedById).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
        return View(job, by ?? "someone");
    }

    private DataJobView View(DataJob job, string by)
    {
        var live = job.State == RunState.Running ? registry.Get(job.Id) : null;
        var spec = job.Kind == RunKind.Import && job.OptionsJson is { } i ? ImportSpec.FromJson(i) : null;
        var export = job.Kind == RunKind.Export && job.OptionsJson is { } e ? JsonSerializer.Deserialize<ExportOptions>(e, ImportSpec.Json) : null;
        return new DataJobView(
            job.Id, job.Kind, job.State, job.Format, job.SourceName ?? "", by, job.CreatedAt, job.CompletedAt,
            live?.Rows ?? job.Processed, live is { Total: > 0 } ? live.Total : job.Total, job.Succeeded, job.Duplicates, job.Rejected, live?.Bytes ?? job.BytesDone, live?.BytesTotal ?? job.BytesTotal,
            job.Message, job.ErrorReportJson is not null, job.ResultPath is not null && File.Exists(job.ResultPath),
            job.PendingJson is { } pending ? JsonSerializer.Deserialize<ImportDecisions>(pending) : null, spec, export, live is not null)
        {
            Report = job.SummaryJson is null ? null : ImportReport.FromJson(job.SummaryJson),
        };
    }

    /// <summary>
    /// Continues an import that waits for decisions: adds the chosen labels to the label set (published as a new
    /// version) and runs the import again with the mappings.
    /// </summary>
    public async Task ResolveAsync(PortalPrincipal user, Guid projectId, Guid jobId, ImportResolution resolution, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var job = await db.DataJobs.SingleOrDefaultAsync(j => j.Id == jobId && j.ProjectId == projectId && j.Kind == RunKind.Import, ct)
            ?? throw new NotFoundException("The import");
        if (job.State != RunState.Waiting || job.OptionsJson is null)
        {
            throw new ConflictException("This import is not waiting for decisions any more; reload the page.");
        }

        if (resolution.Add.Count > 0)
        {
            await AddLabelsAsync(user, projectId, resolution.Add, job.SourceName ?? "an import", ct);
        }

        var spec = ImportSpec.FromJson(job.OptionsJson);
        var before = spec.Mappings ?? ImportMappings.None;
        spec = spec with
        {
            Mappings = new ImportMappings(
                [.. before.Questions ?? [], .. resolution.Mappings.Questions ?? []],
                [.. before.Labels ?? [], .. resolution.Mappings.Labels ?? []],
                [.. before.Annotators ?? [], .. resolution.Mappings.Annotators ?? []]),
        };
        job.OptionsJson = spec.ToJson();
        job.State = RunState.Queued;
        job.PendingJson = null;
        job.Message = null;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "data.import.resolve", "DataJob", job.Id.ToString(), projectId,
            $"{resolution.Add.Count} label(s) added, {resolution.Mappings.Labels?.Count ?? 0} label(s), {resolution.Mappings.Questions?.Count ?? 0} question(s) and {resolution.Mappings.Annotators?.Count ?? 0} annotator(s) mapped"));
        await SaveAsync(db, ct);
        await EnqueueAsync(job, ct);
    }

    private async Task AddLabelsAsync(PortalPrincipal user, Guid projectId, IReadOnlyList<AddedLabel> labels, string source, CancellationToken ct)
    {
        var state = await taxonomies.LoadAsync(user, projectId, ct);
        if (state.HasSavedDraft)
        {
            throw new ConflictException("The label set has unpublished changes; publish or discard them on the label set page first, or map the labels instead of adding them.");
        }

        var draft = state.Draft;
        var colors = new[] { "#e57373", "#64b5f6", "#81c784", "#ffb74d", "#ba68c8", "#4db6ac", "#f06292", "#a1887f", "#90a4ae", "#dce775" };
        var i = 0;
        foreach (var label in labels.DistinctBy(l => (l.Question, l.Name)))
        {
            draft = draft.Add(label.Question, null, label.Name, colors[i++ % colors.Length]);
        }

        if (draft.Validate() is { Count: > 0 } problems)
        {
            throw new DataFormatException($"The labels cannot be added: {problems[0].Message}");
        }

        var version = await taxonomies.SaveDraftAsync(user, projectId, draft, state.ConcurrencyVersion, ct);
        await taxonomies.PublishAsync(user, projectId, version, $"Labels added by the import of {source}: {string.Join(", ", labels.Select(l => l.Name))}", ct);
    }

    /// <summary>
    /// Cancels an import or export: at once when it waits for decisions or has not started; a running one is stopped
    /// where it runs (here, or by its owner's next heartbeat) and keeps nothing (an import discards its staged rows).
    /// </summary>
    public async Task CancelAsync(PortalPrincipal user, Guid projectId, Guid jobId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var job = await db.DataJobs.SingleOrDefaultAsync(j => j.Id == jobId && j.ProjectId == projectId, ct) ?? throw new NotFoundException("The import or export");
        if (job.State == RunState.Running)
        {
            // Signalled first, so the work stops as soon as possible.
            if (!registry.TryCancel(job.Id))
            {
                job.CancelRequestedAt = clock.GetUtcNow().UtcDateTime;
            }
        }
        else if (job.State is RunState.Waiting or RunState.Queued or RunState.Failed)
        {
            job.State = RunState.Cancelled;
            job.CompletedAt = clock.GetUtcNow().UtcDateTime;
            job.PendingJson = null;
        }
        else
        {
            throw new ConflictException("This import or export has already ended.");
        }

        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "data.job.cancel", "DataJob", job.Id.ToString(), projectId));
        await SaveAsync(db, ct);
        if (job.State != RunState.Cancelled)
        {
            return;
        }

        Notify(job);
        if (job.OptionsJson is { } json && job.Kind == RunKind.Import && ImportSpec.FromJson(json).Source is { Kind: ImportSourceKind.Upload, UploadId: { } upload })
        {
            files.DeleteUpload(upload);
        }
    }

    /// <summary>A finished export's file and the name to download it as.</summary>
    public async Task<(string Path, string DownloadName, string ContentType)> ResultAsync(PortalPrincipal user, Guid projectId, Guid jobId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var job = await db.DataJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId && j.ProjectId == projectId && j.Kind == RunKind.Export, ct);
        if (job is not { State: RunState.Succeeded, ResultPath: { } path } || !File.Exists(path))
        {
            throw new NotFoundException("The export file");
        }

        var project = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
        var options = JsonSerializer.Deserialize<ExportOptions>(job.OptionsJson!, ImportSpec.Json)!;
        var (extension, type) = ExportRun.FileType(options.Format);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "data.export.download", "DataJob", job.Id.ToString(), projectId));
        await db.SaveChangesAsync(ct);
        var safe = new string(project.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return (path, $"{(safe.Length == 0 ? "project" : safe)}-{options.Format.ToString().ToLowerInvariant()}-{job.CreatedAt:yyyyMMdd-HHmm}.{extension}", type);
    }

    /// <summary>An import's row errors as CSV (line, where, field, reason), spreadsheet-safe.</summary>
    public async Task<(byte[] Body, string DownloadName)> ErrorsCsvAsync(PortalPrincipal user, Guid projectId, Guid jobId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var job = await db.DataJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId && j.ProjectId == projectId, ct) ?? throw new NotFoundException("The import");
        var errors = job.ErrorReportJson is { } json ? JsonSerializer.Deserialize<List<TaskRowError>>(json) ?? [] : [];
        var csv = new StringBuilder("line,where,field,reason\n");
        foreach (var e in errors)
        {
            csv.Append(string.Join(',', new[] { e.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Where, e.Field, e.Reason }.Select(Csv.Cell))).Append('\n');
        }

        return ([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())], $"import-errors-{job.CreatedAt:yyyyMMdd-HHmm}.csv");
    }

    public async Task<IReadOnlyList<TaskRowError>> ErrorsAsync(PortalPrincipal user, Guid projectId, Guid jobId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var json = await db.DataJobs.AsNoTracking().Where(j => j.Id == jobId && j.ProjectId == projectId).Select(j => j.ErrorReportJson).SingleOrDefaultAsync(ct);
        return json is null ? [] : JsonSerializer.Deserialize<List<TaskRowError>>(json) ?? [];
    }

    /// <summary>The questions and labels of the project's current label set (for mapping a file's names onto them).</summary>
    public async Task<IReadOnlyList<ControlView>> QuestionsAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        return await labelSets.GetAsync(db, versionId, ct);
    }

    /// <summary>Runs a failed import or export again with the same settings.</summary>
    public async Task RetryAsync(PortalPrincipal user, Guid projectId, Guid jobId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var job = await db.DataJobs.SingleOrDefaultAsync(j => j.Id == jobId && j.ProjectId == projectId, ct) ?? throw new NotFoundException("The import or export");
        if (job.State != RunState.Failed)
        {
            throw new ConflictException("Only a failed import or export can be run again.");
        }

        job.State = RunState.Queued;
        job.Message = null;
        job.CompletedAt = null;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "data.job.retry", "DataJob", job.Id.ToString(), projectId));
        await SaveAsync(db, ct);
        await EnqueueAsync(job, ct);
    }

    /// <summary>The project's members (for mapping annotators of a file to people).</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name, string Email)>> PeopleAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var people = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName, u.Email }).OrderBy(u => u.DisplayName).ToListAsync(ct);
        return [.. people.Select(p => (p.Id, p.DisplayName, p.Email))];
    }

    /// <summary>The job a request with this key already started (a double click, a retried request).</summary>
    private static Task<Guid?> ExistingAsync(PortalDbContext db, string key, CancellationToken ct) =>
        db.DataJobs.AsNoTracking().Where(j => j.IdempotencyKey == key).Select(j => (Guid?)j.Id).SingleOrDefaultAsync(ct);

    private static string Key(Guid projectId, string requestKey) =>
        string.IsNullOrWhiteSpace(requestKey) || requestKey.Length > 100 ? throw new DataFormatException("The request has no valid key.") : $"web:{projectId:N}:{requestKey}";

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    /// <summary>False when another request with the same key saved first.</summary>
    private static async Task<bool> SaveNewAsync(PortalDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    private static async Task SaveAsync(PortalDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone else changed this import at the same time; reload the page.");
        }
    }

    /// <summary>Tells open pages a run is queued and hands it to a worker (the command line's queue runs it before returning).</summary>
    private async Task EnqueueAsync(DataJob job, CancellationToken ct)
    {
        Notify(job);
        if (await queue.EnqueueAsync(job.Id, ct) is not { } hangfireId)
        {
            return;
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await db.DataJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.HangfireJobId, hangfireId), ct);
    }

    private void Notify(DataJob job) =>
        notifier.Publish(new RunUpdate(job.Id, job.ProjectId, job.State, job.Processed, job.Total, job.BytesDone, job.BytesTotal));
}
