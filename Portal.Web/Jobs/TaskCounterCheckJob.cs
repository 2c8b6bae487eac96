using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Jobs;

/// <summary>
/// Proves the task counters and the Overview's counters (overlap buckets, submits per day; all kept by database triggers)
/// equal a recount, every night: a difference is logged as a warning with both figures and repaired. A difference seen
/// while tasks change is repaired harmlessly (each repair recounts in one statement or one serializable transaction).
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

        var overview = await CheckOverviewAsync(db, ct);
        log.LogInformation("Task counters checked for {Projects} projects, {Repaired} repaired; Overview counters of {Overview} projects repaired.",
            counted.Count, repaired.Count, overview.Count);
        return [.. repaired.Union(overview)];
    }

    /// <summary>The overlap buckets and the submits per day against a recount; returns the projects repaired.</summary>
    private async Task<IReadOnlyList<Guid>> CheckOverviewAsync(PortalDbContext db, CancellationToken ct)
    {
        var differing = Differing("overlap bucket (answers, tasks, complete)",
            (await db.RecountOverlapAsync(null, ct)).ToDictionary(b => (b.ProjectId, b.Submitted), b => (b.Tasks, b.Completed)),
            (await db.OverlapAsync(null, ct)).ToDictionary(b => (b.ProjectId, b.Submitted), b => (b.Tasks, b.Completed)));
        differing.AddRange(Differing("submits on day",
            (await db.RecountDaysAsync(null, null, ct)).ToDictionary(d => (d.ProjectId, d.Day), d => d.Submitted),
            (await db.DaysAsync(null, null, ct)).ToDictionary(d => (d.ProjectId, d.Day), d => d.Submitted)));
        var repaired = differing.Distinct().ToList();
        foreach (var project in repaired)
        {
            await db.RepairOverviewCountersAsync(project, ct);
        }

        return repaired;
    }

    /// <summary>Logs each row whose kept figures differ from the recount; returns their projects.</summary>
    private List<Guid> Differing<TKey, TValue>(string what, Dictionary<(Guid ProjectId, TKey Key), TValue> counted, Dictionary<(Guid ProjectId, TKey Key), TValue> kept)
        where TKey : notnull
        where TValue : struct
    {
        var differing = counted.Keys.Union(kept.Keys).Where(key => !EqualityComparer<TValue>.Default.Equals(counted.GetValueOrDefault(key), kept.GetValueOrDefault(key))).ToList();
        foreach (var key in differing)
        {
            log.LogWarning("Overview counters of project {ProjectId}, {What} {Key}: kept {Kept}, a recount gives {Counted}; repaired.",
                key.ProjectId, what, key.Key, kept.GetValueOrDefault(key), counted.GetValueOrDefault(key));
        }

        return [.. differing.Select(key => key.ProjectId)];
    }
}
