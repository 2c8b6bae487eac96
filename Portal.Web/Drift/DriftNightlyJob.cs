using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data;
using Portal.Web.Audits;
using Portal.Web.Jobs;

namespace Portal.Web.Drift;

/// <summary>
/// Every night, the drift checks of each active project, keyed by the night's date (a retry is the same run). Runs a
/// crash or a failure left unfinished are resumed first. One project's failure never stops the others; the job fails
/// at the end so Hangfire retries, and the finished projects are then no-ops.
/// </summary>
public sealed class DriftNightlyJob(IDbContextFactory<PortalDbContext> factory, DriftRunService runs, TimeProvider clock, ILogger<DriftNightlyJob> log) : IRecurringJob
{
    /// <summary>A run unfinished this long is taken as abandoned by a dead process.</summary>
    public static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(30);

    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var key = AuditRunKeys.Night(DateOnly.FromDateTime(now));
        List<Guid> projects;
        List<(Guid ProjectId, string RunKey)> unfinished;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            projects = await db.Projects.Where(p => !p.IsArchived).OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(ct);
            var abandoned = now - Abandoned;
            unfinished = [.. (await db.DriftRuns.Where(r => r.State == DriftRunState.Failed || (r.State == DriftRunState.Running && r.StartedAt < abandoned))
                .OrderBy(r => r.StartedAt).Select(r => new { r.ProjectId, r.RunKey }).ToListAsync(ct)).Select(r => (r.ProjectId, r.RunKey))];
        }

        var failed = new List<Guid>();
        foreach (var projectId in projects)
        {
            try
            {
                foreach (var run in unfinished.Where(r => r.ProjectId == projectId && r.RunKey != key))
                {
                    await runs.RunAsync(projectId, run.RunKey, null, ct);
                }

                var tonight = await runs.RunAsync(projectId, key, null, ct);
                if (tonight.State == DriftRunState.Failed)
                {
                    failed.Add(projectId);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "The nightly drift checks {RunKey} of project {ProjectId} failed; the other projects go on", key, projectId);
                failed.Add(projectId);
            }
        }

        if (failed.Count > 0)
        {
            throw new InvalidOperationException($"The nightly drift checks {key} failed for {failed.Count} project(s): {string.Join(", ", failed)}; a retry resumes them.");
        }
    }
}
