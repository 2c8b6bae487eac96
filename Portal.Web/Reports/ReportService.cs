using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Core.Reports;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.ImportExport;
using Portal.Web.Jobs;

namespace Portal.Web.Reports;

/// <summary>
/// Reports as people ask for them: start one (a durable run, in the background), follow the history, download a file.
/// Managers have every sheet, QA leads the quality sheets; a project the caller is not in answers "not found".
/// </summary>
public sealed class ReportService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, ReportBuilder builder, RunRegistry registry, IDataJobQueue queue, AuditLog audit, TimeProvider clock)
{
    private const int Listed = 25;

    /// <summary>The caller's role in the project (the page offers the sheets it allows).</summary>
    public async Task<ProjectRole> RoleAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
    }

    /// <summary>Starts a report; the same <paramref name="requestKey"/> again (a double click) returns the run it started.</summary>
    public async Task<Guid> StartAsync(PortalPrincipal user, Guid projectId, ReportRequest request, string requestKey, CancellationToken ct)
    {
        await builder.CheckAsync(user, projectId, request, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (string.IsNullOrWhiteSpace(requestKey) || requestKey.Length > 100)
        {
            throw new ValidationException("RequestKey", "The request has no valid key.");
        }

        var key = $"report:{projectId:N}:{requestKey}";
        if (await db.DataJobs.Where(j => j.IdempotencyKey == key).Select(j => (Guid?)j.Id).SingleOrDefaultAsync(ct) is { } existing)
        {
            return existing;
        }

        var run = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Report, Format = "xlsx", State = RunState.Queued,
            OptionsJson = JsonSerializer.Serialize(new ReportRunSettings(request, [.. user.AppRoleSet]), ReportRun.Json), SourceName = request.Describe(), IdempotencyKey = key,
            CreatedById = user.UserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.DataJobs.Add(run);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "report.start", "DataJob", run.Id.ToString(), projectId, run.SourceName));
        await db.SaveChangesAsync(ct);
        run.HangfireJobId = await queue.EnqueueAsync(run.Id, ct);
        await db.DataJobs.Where(j => j.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.HangfireJobId, run.HangfireJobId), ct);
        return run.Id;
    }

    /// <summary>The project's latest reports, newest first, with live progress for those running here. QA leads see their own.</summary>
    public async Task<IReadOnlyList<ReportView>> ListAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var rows = await db.DataJobs.AsNoTracking().Where(j => j.ProjectId == projectId && j.Kind == RunKind.Report && (role == ProjectRole.Manager || j.CreatedById == user.UserId))
            .OrderByDescending(j => j.CreatedAt).Take(Listed)
            .Select(j => new { Job = j, By = db.Users.Where(u => u.Id == j.CreatedById).Select(u => u.DisplayName).FirstOrDefault() }).ToListAsync(ct);
        return [.. rows.Select(r =>
        {
            var live = r.Job.State == RunState.Running ? registry.Get(r.Job.Id) : null;
            return new ReportView(r.Job.Id, r.Job.State, r.Job.SourceName ?? "", r.By ?? "someone", r.Job.CreatedAt, r.Job.CompletedAt, live?.Rows ?? r.Job.Processed,
                live is { Total: > 0 } ? live.Total : r.Job.Total, r.Job.BytesDone, r.Job.State == RunState.Succeeded && r.Job.ResultPath is { } p && File.Exists(p), r.Job.Message)
            {
                Scheduled = r.Job.IdempotencyKey.StartsWith(ReportScheduleJob.KeyPrefix, StringComparison.Ordinal),
            };
        })];
    }

    /// <summary>A finished report's file and the name to download it as (audit-logged).</summary>
    public async Task<(string Path, string DownloadName)> FileAsync(PortalPrincipal user, Guid projectId, Guid runId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var run = await db.DataJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == runId && j.ProjectId == projectId && j.Kind == RunKind.Report, ct);
        if (run is not { State: RunState.Succeeded, ResultPath: { } path } || !File.Exists(path) || (role < ProjectRole.Manager && run.CreatedById != user.UserId))
        {
            throw new NotFoundException("The report file");
        }

        var project = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "report.download", "DataJob", run.Id.ToString(), projectId));
        await db.SaveChangesAsync(ct);
        return (path, ReportFiles.DownloadName(project, run.CreatedAt));
    }
}
