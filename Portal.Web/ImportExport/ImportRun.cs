using Azure;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Jobs;

namespace Portal.Web.ImportExport;

/// <summary>
/// An import as a durable run: opens its source (an upload, an https address, a blob container) and hands it to
/// <see cref="ImportService"/>, which writes staged batches and publishes them only when the import commits, so a cancel or
/// a crash leaves nothing half imported.
/// </summary>
public sealed class ImportRun(IDbContextFactory<PortalDbContext> factory, ImportService imports, DataFiles files, UrlSource urls, BlobSource blobs) : IRunKind
{
    public RunKind Kind => RunKind.Import;

    /// <summary>Discards the dead attempt's staged rows; an import that was publishing (its outcome recorded) is finished instead.</summary>
    public async Task<bool> AbandonAsync(DataJob run, CancellationToken ct)
    {
        if (run.CompletedAt is not null)
        {
            return false;
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await ImportStaging.DiscardAsync(db, run.Id, ct);
        return true;
    }

    public string? Explain(Exception ex) => DataRunErrors.Explain(ex);

    public async Task RunAsync(DataJob run, LiveRun live, CancellationToken ct)
    {
        var spec = ImportSpec.FromJson(run.OptionsJson ?? throw new DataFormatException("The import has no options."));
        var options = spec.ToOptions();
        var sources = await OpenAsync(spec.Source, run.ProjectId, ct);
        live.BytesTotal = sources.Sum(s => s.Length ?? 0);
        var counted = sources.Select(s => s with
        {
            OpenAsync = async token => new ReadOnlyStream(await s.OpenAsync(token), live.AddBytes),
        }).ToList();
        var summary = await imports.RunAsync(run.ProjectId, run.CreatedById, counted, run.SourceName ?? "", run.IdempotencyKey, options, live.RowProgress, ct);

        await using var db = await factory.CreateDbContextAsync(ct);
        await db.DataJobs.Where(j => j.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.BytesDone, live.Bytes).SetProperty(j => j.BytesTotal, live.BytesTotal)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null), ct);
        if (summary.Committed && spec.Source is { Kind: ImportSourceKind.Upload, UploadId: { } uploadId })
        {
            files.DeleteUpload(uploadId);
        }
    }

    private async Task<IReadOnlyList<ImportFile>> OpenAsync(ImportSource source, Guid projectId, CancellationToken ct)
    {
        switch (source.Kind)
        {
            case ImportSourceKind.Upload:
                var upload = await files.FindUploadAsync(source.UploadId ?? Guid.Empty, projectId, ct)
                    ?? throw new DataFormatException("The uploaded file is no longer there (uploads are kept for a limited time); upload it again.");
                return [new ImportFile(upload.Name, upload.Length, _ => Task.FromResult<Stream>(
                    new FileStream(files.UploadPath(upload.Id), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan)))];
            case ImportSourceKind.Url:
                var (body, length, name) = await urls.OpenAsync(source.Url ?? "", ct);
                return [new ImportFile(name, length, _ => Task.FromResult(body))];
            default:
                return await blobs.ListAsync(source.Account ?? "", source.Container ?? "", source.Prefix, ct);
        }
    }
}

/// <summary>The failures of imports and exports that their starter can act on, in words.</summary>
internal static class DataRunErrors
{
    public static string? Explain(Exception ex) => ex switch
    {
        DataFormatException or UrlRefusedException => ex.Message,
        RequestFailedException azure => $"Azure storage answered {azure.Status} {azure.ErrorCode}.",
        HttpRequestException http => $"The download failed: {http.Message}",
        IOException io => $"The file could not be read: {io.Message}",
        _ => null,
    };
}

/// <summary>Deletes uploads and export files past their retention (<see cref="DataFilesOptions"/>).</summary>
public sealed class DataFilesRetention(DataFiles files) : IRunRetention
{
    public Task ExpireAsync(CancellationToken ct)
    {
        files.DeleteExpired();
        return Task.CompletedTask;
    }
}
