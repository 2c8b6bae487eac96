using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Data.Queries;
using Portal.Data.Entities;
using Portal.Web.Jobs;

namespace Portal.Web.ImportExport;

/// <summary>An export as a durable run: writes the project's results to a file that is complete or absent, then records it.</summary>
public sealed class ExportRun(IDbContextFactory<PortalDbContext> factory, ExportService exports, DataFiles files, TimeProvider clock) : IRunKind
{
    public RunKind Kind => RunKind.Export;

    /// <summary>An export writes nothing to the database before it succeeds; its partial file is rewritten by a later export of the run or left to retention.</summary>
    public Task<bool> AbandonAsync(DataJob run, CancellationToken ct) => Task.FromResult(true);

    public string? Explain(Exception ex) => DataRunErrors.Explain(ex);

    public async Task RunAsync(DataJob run, LiveRun live, CancellationToken ct)
    {
        var options = JsonSerializer.Deserialize<ExportOptions>(run.OptionsJson ?? "", ImportSpec.Json) ?? throw new DataFormatException("The export has no options.");
        await using var db = await factory.CreateDbContextAsync(ct);
        live.Total = await db.Tasks.Where(t => t.ProjectId == run.ProjectId).Published(db).LongCountAsync(ct);
        await db.DataJobs.Where(j => j.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Total, live.Total), ct);

        var (extension, _) = FileType(options.Format);
        var path = files.ExportPath(run.Id, extension);
        var count = await exports.ExportToFileAsync(run.ProjectId, options, path, ct, live.RowProgress);
        var now = clock.GetUtcNow().UtcDateTime;
        var size = new FileInfo(path).Length;
        await db.DataJobs.Where(j => j.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, RunState.Succeeded).SetProperty(j => j.Succeeded, count).SetProperty(j => j.Processed, live.Total)
            .SetProperty(j => j.ResultPath, path).SetProperty(j => j.BytesDone, size).SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null).SetProperty(j => j.Version, j => j.Version + 1), ct);
    }

    public static (string Extension, string ContentType) FileType(ExportFormat format) =>
        (ExportFormats.Of(format).Extension, ExportFormats.Of(format).ContentType);
}
