using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Web.Jobs;

namespace Portal.Web.Audits;

/// <summary>
/// Every night, one audit run per active project with audits on, keyed by the night's date (a retry is the same run).
/// Runs left unfinished by a crash or a failure are resumed first, so windows stay in order. One project's failure never
/// stops the others; the job fails at the end so Hangfire retries, and the finished projects are then no-ops.
/// </summary>
public sealed class AuditNightlyJob(IDbContextFactory<PortalDbContext> factory, AuditRunService runs, TimeProvider clock, ILogger<AuditNightlyJob> log) : IRecurringJob
{
    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var key = RunKeys.Night(DateOnly.FromDateTime(now));
        List<Guid> projects;
        List<(Guid ProjectId, string RunKey, AuditTrigger Trigger, Guid? RequestedById)> unfinished;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            projects = await db.Projects.Where(p => !p.IsArchived && !(p.AuditSizing == AuditSizing.Percent && p.AuditRatePercent == 0))
                .OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(ct);
            var abandoned = now - NightlyProjects.Abandoned;
            unfinished = [.. (await db.AuditRuns.Where(r => r.State != RunState.Succeeded && (r.State == RunState.Failed || r.CreatedAt < abandoned))
                .OrderBy(r => r.WindowEnd).Select(r => new { r.ProjectId, r.RunKey, r.Trigger, r.RequestedById }).ToListAsync(ct))
                .Select(r => (r.ProjectId, r.RunKey, r.Trigger, r.RequestedById))];
        }

        await NightlyProjects.RunEachAsync("audit", key, projects, async projectId =>
        {
            foreach (var run in unfinished.Where(r => r.ProjectId == projectId && r.RunKey != key))
            {
                await runs.RunAsync(projectId, run.RunKey, run.Trigger, run.RequestedById, ct);
            }

            await runs.RunAsync(projectId, key, AuditTrigger.Nightly, null, ct);
            return true;
        }, log, ct);
    }
}
