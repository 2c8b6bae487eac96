using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Jobs;

/// <summary>
/// Proves the task counters (kept by database triggers) equal a recount, every night: a difference is logged as a
/// warning with both figures and repaired. A difference seen while tasks change is repaired harmlessly (the repair
/// recounts in one statement).
/// </summary>
public sealed class TaskCounterCheckJob(IDbContextFactory<PortalDbContext> factory, ILogger<TaskCounterCheckJob> log) : IRecurringJob
{
    public async Task RunAsync(CancellationToken ct) => await CheckAsync(ct);

    /// <summary>Returns the projects whose counters differed from the recount (and were repaired).</summary>
    public async Task<IReadOnlyList<Guid>> CheckAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var counted = await db.RecountProgressAsync(ct);
        var kept = await db.ProjectTaskCounters.AsNoTracking().ToDictionaryAsync(c => c.ProjectId, c => new TaskProgress(c.Total, c.Completed), ct);
        var repaired = new List<Guid>();
        foreach (var project in counted.Keys.Union(kept.Keys))
        {
            var expected = counted.GetValueOrDefault(project);
            var actual = kept.GetValueOrDefault(project);
            if (expected == actual)
            {
                continue;
            }

            log.LogWarning("Task counters of project {ProjectId} were {Total}/{Completed}, a recount gives {CountedTotal}/{CountedCompleted}; repaired.",
                project, actual.Total, actual.Completed, expected.Total, expected.Completed);
            await db.RepairCountersAsync(project, ct);
            repaired.Add(project);
        }

        log.LogInformation("Task counters checked for {Projects} projects, {Repaired} repaired.", counted.Count, repaired.Count);
        return repaired;
    }
}
