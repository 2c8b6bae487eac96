using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Data;

namespace Portal.Web.Jobs;

/// <summary>
/// Finds the runs nobody is running (left Queued when in-memory job storage lost them at a restart, or Running with a
/// dead owner) and hands them to <see cref="DurableRunner"/> again; the runner's claim makes a duplicate harmless.
/// </summary>
public sealed class RunSweeper(IDbContextFactory<PortalDbContext> factory, RunRegistry registry, IBackgroundJobClient jobs, JobStorage storage, TimeProvider clock)
{
    /// <summary>A queued run younger than this is left to the Hangfire job that was enqueued with it.</summary>
    private static readonly TimeSpan QueuedGrace = TimeSpan.FromSeconds(30);

    /// <summary>Enqueues every run whose owner is dead or that was lost from the queue; returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> ResumeDeadAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var candidates = await db.DataJobs.AsNoTracking()
            .Where(j => (j.State == RunState.Queued && j.CreatedAt < now - QueuedGrace) || j.State == RunState.Running)
            .ToListAsync(ct);
        var resumed = new List<Guid>();
        foreach (var run in candidates.Where(r => !registry.IsRunning(r.Id) && (r.State == RunState.Queued || DurableRunner.IsDead(r, registry.Instance, now))))
        {
            if (IsPending(run.HangfireJobId, run.State))
            {
                continue;
            }

            var id = run.Id;
            var hangfireId = jobs.Enqueue<DurableRunner>(r => r.RunAsync(id, CancellationToken.None));
            await db.DataJobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.HangfireJobId, hangfireId), ct);
            resumed.Add(id);
        }

        return resumed;
    }

    /// <summary>True when Hangfire still holds the run's job waiting for a worker (a resume is already on its way).</summary>
    private bool IsPending(string? hangfireId, RunState state)
    {
        if (hangfireId is null)
        {
            return false;
        }

        using var connection = storage.GetConnection();
        var name = connection.GetStateData(hangfireId)?.Name;
        return name == EnqueuedState.StateName || name == ScheduledState.StateName || name == AwaitingState.StateName
            || (state == RunState.Queued && name == ProcessingState.StateName);
    }
}

/// <summary>Resumes runs as soon as their owner misses its heartbeats, instead of waiting for the minute's sweep.</summary>
public sealed class RunWatcher(IServiceScopeFactory scopes, ILogger<RunWatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(DurableRunner.Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<RunSweeper>().ResumeDeadAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A busy or briefly unreachable database: the next tick tries again.
                    log.LogWarning(ex, "Looking for runs to resume failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>Every minute: resumes what the watcher did not (a process without a Hangfire server) and applies every feature's retention.</summary>
public sealed class RunSweepJob(RunSweeper sweeper, IEnumerable<IRunRetention> retentions) : IRecurringJob
{
    public async Task RunAsync(CancellationToken ct)
    {
        await sweeper.ResumeDeadAsync(ct);
        foreach (var retention in retentions)
        {
            await retention.ExpireAsync(ct);
        }
    }
}
