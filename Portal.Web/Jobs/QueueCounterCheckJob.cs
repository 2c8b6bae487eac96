using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Jobs;

/// <summary>
/// Proves the queue counters (kept by database triggers, read by every project page) equal a recount, every night: each
/// differing row is logged as a warning with both figures and its project repaired (a recount in one serializable
/// transaction, so a difference seen while people work is repaired harmlessly).
/// </summary>
public sealed class QueueCounterCheckJob(IDbContextFactory<PortalDbContext> factory, ILogger<QueueCounterCheckJob> log) : IRecurringJob
{
    public async Task RunAsync(CancellationToken ct) => await CheckAsync(ct);

    /// <summary>Returns the projects whose counters differed from the recount (and were repaired).</summary>
    public async Task<IReadOnlyList<Guid>> CheckAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var counted = (await db.RecountQueueCountersAsync(null, ct)).ToDictionary(r => (r.ProjectId, r.UserId), r => (r.ReviewRequested, r.Adjudication, r.Claimable));
        var kept = (await db.KeptQueueCountersAsync(ct)).ToDictionary(r => (r.ProjectId, r.UserId), r => (r.ReviewRequested, r.Adjudication, r.Claimable));
        var differing = counted.Keys.Union(kept.Keys).Where(key => counted.GetValueOrDefault(key) != kept.GetValueOrDefault(key)).ToList();
        foreach (var key in differing)
        {
            log.LogWarning("Queue counters (review requested, adjudication, claimable) of project {ProjectId}, user {UserId} were {Kept}, a recount gives {Counted}; repaired.",
                key.ProjectId, key.UserId, kept.GetValueOrDefault(key), counted.GetValueOrDefault(key));
        }

        var repaired = differing.Select(key => key.ProjectId).Distinct().ToList();
        foreach (var project in repaired)
        {
            await db.RepairQueueCountersAsync(project, ct);
        }

        log.LogInformation("Queue counters checked ({Rows} rows), {Repaired} projects repaired.", counted.Count, repaired.Count);
        return repaired;
    }
}
