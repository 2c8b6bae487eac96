using System.Text.Json;
using Azure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.ImportExport;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Jobs;

namespace Portal.Web.ImportExport;

/// <summary>
/// Runs one import or export (a Hangfire job). The job's row is claimed first, so two workers never run it at once;
/// a job found Running that is not alive anywhere (a crash) is run again: an import's transaction never committed,
/// and an export rewrites its partial file.
/// </summary>
public sealed class DataJobRunner(
    IDbContextFactory<PortalDbContext> factory, ImportService imports, ExportService exports, DataFiles files, DataJobProgress progress,
    UrlSource urls, BlobSource blobs, TimeProvider clock, ILogger<DataJobRunner> log)
{
    /// <summary>A running job whose heartbeat is older than this is presumed dead (SQL Server, several processes).</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromMinutes(2);

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid jobId, CancellationToken ct)
    {
        if (!progress.TryStart(jobId, out var live))
        {
            return;
        }

        try
        {
            if (await ClaimAsync(jobId, ct) is not { } job)
            {
                return;
            }

            using var heartbeat = new CancellationTokenSource();
            var beating = HeartbeatAsync(job, live, heartbeat.Token);
            try
            {
                if (job.Kind == DataJobKind.Import)
                {
                    await ImportAsync(job, live, ct);
                }
                else
                {
                    await ExportAsync(job, live, ct);
                }
            }
            catch (Exception ex) when (Explain(ex) is { } message)
            {
                await FailAsync(jobId, message, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Data job {JobId} failed", jobId);
                await FailAsync(jobId, $"Something went wrong on the server (reference {jobId:N}); the administrators can see the details in the log.", CancellationToken.None);
            }
            finally
            {
                await heartbeat.CancelAsync();
                await beating;
            }
        }
        finally
        {
            progress.Stop(jobId);
        }
    }

    private static string? Explain(Exception ex) => ex switch
    {
        DataFormatException or UrlRefusedException => ex.Message,
        RequestFailedException azure => $"Azure storage answered {azure.Status} {azure.ErrorCode}.",
        HttpRequestException http => $"The download failed: {http.Message}",
        IOException io => $"The file could not be read: {io.Message}",
        _ => null,
    };

    /// <summary>Marks the job Running for this worker; null when it is done, cancelled, waiting, or alive elsewhere.</summary>
    private async Task<DataJob?> ClaimAsync(Guid jobId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var job = await db.DataJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (job is null || job.State is not (RunState.Queued or RunState.Running) || (job.State == RunState.Running && job.HeartbeatAt > now - Stale))
        {
            return null;
        }

        var state = job.State;
        var heartbeat = job.HeartbeatAt;
        var claimed = await db.DataJobs.Where(j => j.Id == jobId && j.State == state && j.HeartbeatAt == heartbeat)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, RunState.Running).SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.StartedAt, now)
                .SetProperty(j => j.Version, j => j.Version + 1), ct);
        return claimed == 1 ? await db.DataJobs.AsNoTracking().SingleAsync(j => j.Id == jobId, ct) : null;
    }

    /// <summary>
    /// Writes progress and a heartbeat every few seconds where that cannot wait on the job's own transaction: always for
    /// exports, and for imports on SQL Server (SQLite has one writer, the import; its progress stays in memory).
    /// </summary>
    private async Task HeartbeatAsync(DataJob job, DataJobProgress.Live live, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        if (job.Kind == DataJobKind.Import && db.Database.IsSqlite())
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = clock.GetUtcNow().UtcDateTime;
                await db.DataJobs.Where(j => j.Id == job.Id && j.State == RunState.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.Processed, live.Rows).SetProperty(j => j.BytesDone, live.Bytes), ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ImportAsync(DataJob job, DataJobProgress.Live live, CancellationToken ct)
    {
        var spec = ImportSpec.FromJson(job.OptionsJson ?? throw new DataFormatException("The import has no options."));
        var options = spec.ToOptions();
        IReadOnlyList<ImportFile> sources;
        switch (spec.Source.Kind)
        {
            case ImportSourceKind.Upload:
                var upload = await files.FindUploadAsync(spec.Source.UploadId ?? Guid.Empty, job.ProjectId, ct)
                    ?? throw new DataFormatException("The uploaded file is no longer there (uploads are kept for a limited time); upload it again.");
                sources = [new ImportFile(upload.Name, upload.Length, _ => Task.FromResult<Stream>(
                    new FileStream(files.UploadPath(upload.Id), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan)))];
                break;
            case ImportSourceKind.Url:
                var (body, length, name) = await urls.OpenAsync(spec.Source.Url ?? "", ct);
                sources = [new ImportFile(name, length, _ => Task.FromResult(body))];
                break;
            default:
                sources = await blobs.ListAsync(spec.Source.Account ?? "", spec.Source.Container ?? "", spec.Source.Prefix, ct);
                break;
        }

        live.BytesTotal = sources.Sum(s => s.Length ?? 0);
        var counted = sources.Select(s => s with
        {
            OpenAsync = async token => new ReadOnlyStream(await s.OpenAsync(token), live.AddBytes),
        }).ToList();
        var summary = await imports.RunAsync(job.ProjectId, job.CreatedById, counted, job.SourceName ?? "", job.IdempotencyKey, options,
            new Rows(live), ct);

        await using var db = await factory.CreateDbContextAsync(ct);
        await db.DataJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.BytesDone, live.Bytes).SetProperty(j => j.BytesTotal, live.BytesTotal)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null), ct);
        if (summary.Committed && spec.Source is { Kind: ImportSourceKind.Upload, UploadId: { } uploadId })
        {
            files.DeleteUpload(uploadId);
        }
    }

    private async Task ExportAsync(DataJob job, DataJobProgress.Live live, CancellationToken ct)
    {
        var options = JsonSerializer.Deserialize<ExportOptions>(job.OptionsJson ?? "", ImportSpec.Json) ?? throw new DataFormatException("The export has no options.");
        await using var db = await factory.CreateDbContextAsync(ct);
        live.Total = await db.Tasks.LongCountAsync(t => t.ProjectId == job.ProjectId, ct);
        await db.DataJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Total, live.Total), ct);

        var (extension, _) = FileType(options.Format);
        var path = files.ExportPath(job.Id, extension);
        var count = await exports.ExportToFileAsync(job.ProjectId, options, path, ct, new Rows(live));
        var now = clock.GetUtcNow().UtcDateTime;
        var size = new FileInfo(path).Length;
        await db.DataJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, RunState.Succeeded).SetProperty(j => j.Succeeded, count).SetProperty(j => j.Processed, live.Total)
            .SetProperty(j => j.ResultPath, path).SetProperty(j => j.BytesDone, size).SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null).SetProperty(j => j.Version, j => j.Version + 1), ct);
    }

    private async Task FailAsync(Guid jobId, string message, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var text = message.Length > 4000 ? message[..4000] : message;
        await db.DataJobs.Where(j => j.Id == jobId && j.State == RunState.Running).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, RunState.Failed).SetProperty(j => j.Message, text).SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null).SetProperty(j => j.Version, j => j.Version + 1), ct);
    }

    public static (string Extension, string ContentType) FileType(ExportFormat format) => format switch
    {
        ExportFormat.LabelStudioJson => ("json", "application/json"),
        ExportFormat.Jsonl => ("jsonl", "application/x-ndjson"),
        ExportFormat.Csv => ("csv", "text/csv"),
        _ => ("conll", "text/plain"),
    };

    /// <summary>Progress reported on the calling thread (not posted like <see cref="Progress{T}"/>).</summary>
    private sealed class Rows(DataJobProgress.Live live) : IProgress<long>
    {
        public void Report(long value) => live.SetRows(value);
    }
}

/// <summary>
/// Every minute: runs again the imports and exports a restart or crash left Queued or Running (not alive in this
/// process, no recent heartbeat), and deletes expired uploads and exports.
/// </summary>
public sealed class DataJobResumeJob(IDbContextFactory<PortalDbContext> factory, DataJobProgress progress, IBackgroundJobClient jobs, DataFiles files, TimeProvider clock)
    : IRecurringJob
{
    public async Task RunAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var stale = now - DataJobRunner.Stale;
        var left = await db.DataJobs.AsNoTracking()
            .Where(j => (j.State == RunState.Queued && j.CreatedAt < now.AddMinutes(-1)) || (j.State == RunState.Running && (j.HeartbeatAt == null || j.HeartbeatAt < stale)))
            .Select(j => j.Id).ToListAsync(ct);
        foreach (var id in left.Where(id => !progress.IsRunning(id)))
        {
            jobs.Enqueue<DataJobRunner>(r => r.RunAsync(id, CancellationToken.None));
        }

        files.DeleteExpired();
    }
}
