using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Jobs;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Jobs;

namespace Portal.Web.Reports;

/// <summary>Where finished workbooks live, and their retention.</summary>
public sealed class ReportFiles(IOptions<ReportOptions> options, IHostEnvironment environment, TimeProvider clock) : IRunRetention
{
    public string Root { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.Path));

    public string PathOf(Guid runId) => Path.Combine(Root, $"{runId:N}.xlsx");

    /// <summary>The name a workbook is downloaded or attached as: the project's name in letters and digits, and when it was made.</summary>
    public static string DownloadName(string project, DateTime createdAt)
    {
        var safe = new string([.. project.Select(c => char.IsLetterOrDigit(c) ? c : '-')]).Trim('-');
        return $"{(safe.Length == 0 ? "project" : safe)}-report-{createdAt:yyyyMMdd-HHmm}.xlsx";
    }

    public Task ExpireAsync(CancellationToken ct)
    {
        if (!Directory.Exists(Root))
        {
            return Task.CompletedTask;
        }

        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.KeepDays);
        foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*.xlsx*").Where(f => f.LastWriteTimeUtc < cutoff))
        {
            file.Delete();
        }

        return Task.CompletedTask;
    }
}

/// <summary>What a report run keeps of its request: the request, and the portal roles of the person who made it (written by the server only).</summary>
public sealed record ReportRunSettings(ReportRequest Request, IReadOnlyList<string> AppRoles);

/// <summary>A report as a durable run: the workbook is written to a temporary file and moved in place whole, then recorded.</summary>
public sealed class ReportRun(IDbContextFactory<PortalDbContext> factory, ReportBuilder builder, ReportFiles files, TimeProvider clock) : IRunKind
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public RunKind Kind => RunKind.Report;

    /// <summary>Nothing is kept before the file is complete; a rerun writes it again.</summary>
    public Task<bool> AbandonAsync(DataJob run, CancellationToken ct) => Task.FromResult(true);

    public string? Explain(Exception ex) => ex is DomainException ? ex.Message : null;

    public async Task RunAsync(DataJob run, LiveRun live, CancellationToken ct)
    {
        var settings = JsonSerializer.Deserialize<ReportRunSettings>(run.OptionsJson ?? "", Json) ?? throw new ValidationException("Parts", "The report has no settings.");
        await using var db = await factory.CreateDbContextAsync(ct);
        var name = await db.Users.Where(u => u.Id == run.CreatedById).Select(u => u.DisplayName).SingleAsync(ct);
        // The person who asked, with the portal roles they had when they asked (an admin or a global manager who is not a
        // member may report on any project); every service checks the project role again.
        var user = new PortalPrincipal(run.CreatedById, name, settings.AppRoles.ToHashSet(StringComparer.Ordinal));
        var spec = await builder.BuildAsync(user, run.ProjectId, settings.Request, ct);
        live.Total = spec.Detail?.Count ?? 0;
        var path = files.PathOf(run.Id);
        Directory.CreateDirectory(files.Root);
        var partial = path + ".partial";
        await using (var file = File.Create(partial))
        {
            await WorkbookWriter.WriteAsync(spec, file, live.RowProgress, ct);
        }

        File.Move(partial, path, overwrite: true);
        var size = new FileInfo(path).Length;
        var now = clock.GetUtcNow().UtcDateTime;
        await db.DataJobs.Where(j => j.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, RunState.Succeeded).SetProperty(j => j.Processed, live.Total).SetProperty(j => j.Total, live.Total)
            .SetProperty(j => j.ResultPath, path).SetProperty(j => j.BytesDone, size).SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null).SetProperty(j => j.Version, j => j.Version + 1), ct);
    }
}
