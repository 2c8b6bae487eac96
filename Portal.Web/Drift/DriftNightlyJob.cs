using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data;
using Portal.Web.Jobs;

namespace Portal.Web.Drift;

/// <summary>
/// Every night, the drift checks of each active project, keyed by the night (see <see cref="NightlyProjects"/>).
/// Runs a crash or a failure left unfinished are resumed first.
/// </summary>
public sealed class DriftNightlyJob(IDbContextFactory<PortalDbContext> factory, DriftRunService runs, TimeProvider clock, ILogger<DriftNightlyJob> log) : IRecurringJob
{
    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var key = RunKeys.Night(DateOnly.FromDateTime(now));
        List<Guid> projects;
        List<(Guid ProjectId, string RunKey)> unfinished;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            projects = await db.Projects.Where(p => !p.IsArchived).OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(ct);
            var abandoned = now - NightlyProjects.Abandoned;
            unfinished = [.. (await db.DriftRuns.Where(r => r.State == DriftRunState.Failed || (r.State == DriftRunState.Running && r.StartedAt < abandoned))
                .OrderBy(r => r.StartedAt).Select(r => new { r.ProjectId, r.RunKey }).ToListAsync(ct)).Select(r => (r.ProjectId, r.RunKey))];
        }

        await NightlyProjects.RunEachAsync("drift checks", key, projects, async projectId =>
        {
            foreach (var run in unfinished.Where(r => r.ProjectId == projectId && r.RunKey != key))
            {
                await runs.RunAsync(projectId, run.RunKey, null, ct);
            }

            var tonight = await runs.RunAsync(projectId, key, null, ct);
            return tonight.State != DriftRunState.Failed;
        }, log, ct);
    }
}
