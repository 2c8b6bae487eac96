using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Jobs;

/// <summary>
/// Runs one durable run (a Hangfire job): claims its row so that two workers never run it at once, beats its heart,
/// pushes its progress to open pages, lets a person cancel it, and records how it ended. A run found Running whose
/// owner is dead (no heartbeat for <see cref="Stale"/>) is claimed again and run from the start: an import discards its
/// staged rows first (or finishes publishing them), and an export rewrites its partial file.
/// </summary>
public sealed class DurableRunner(
    IDbContextFactory<PortalDbContext> factory, IEnumerable<IRunKind> kinds, RunRegistry registry, RunNotifier notifier, TimeProvider clock,
    ILogger<DurableRunner> log)
{
    /// <summary>How often a running run writes its heartbeat (and reads whether someone cancelled it elsewhere).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>Three missed heartbeats: the owner is presumed dead and the run is resumed.</summary>
    public static readonly TimeSpan Stale = 3 * Heartbeat;

    /// <summary>How often open pages get the progress (Blazor renders no faster than this is useful).</summary>
    private static readonly TimeSpan Pulse = TimeSpan.FromMilliseconds(250);

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid runId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var projectId = await db.DataJobs.Where(j => j.Id == runId).Select(j => (Guid?)j.ProjectId).SingleOrDefaultAsync(ct);
        if (projectId is null || !registry.TryStart(runId, projectId.Value, ct, out var live))
        {
            return;
        }

        try
        {
            if (await ClaimAsync(db, runId, ct) is not { } run)
            {
                return;
            }

            var kind = kinds.Single(k => k.Kind == run.Kind);
            notifier.Publish(live.Snapshot(RunState.Running));
            using var beating = new CancellationTokenSource();
            var pulse = PulseAsync(live, beating.Token);
            try
            {
                await WorkAsync(kind, run, live);
            }
            finally
            {
                await beating.CancelAsync();
                await pulse;
            }
        }
        finally
        {
            registry.Stop(runId);
            await PublishStateAsync(runId);
        }
    }

    /// <summary>True when the run's owner is dead: not running here, and either ours (a previous attempt here) or silent for too long.</summary>
    public static bool IsDead(DataJob run, string instance, DateTime now) =>
        run.State == RunState.Running && (run.Owner == instance || run.HeartbeatAt is null || run.HeartbeatAt < now - Stale);

    private async Task WorkAsync(IRunKind kind, DataJob run, LiveRun live)
    {
        try
        {
            await kind.RunAsync(run, live, live.Token);
            await FinishAsync(run.Id, RunState.Succeeded, null);
        }
        catch (OperationCanceledException) when (live.CancelRequested)
        {
            await FinishAsync(run.Id, RunState.Cancelled, "Cancelled while it ran; nothing of it was kept.");
        }
        catch (Exception ex) when (kind.Explain(ex) is { } message)
        {
            await FinishAsync(run.Id, RunState.Failed, message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "Run {RunId} ({Kind}) failed", run.Id, run.Kind);
            await FinishAsync(run.Id, RunState.Failed, $"Something went wrong on the server (reference {run.Id:N}); the administrators can see the details in the log.");
        }
    }

    /// <summary>Marks the run Running for this process; null when it is done, cancelled, waiting, or alive elsewhere.</summary>
    private async Task<DataJob?> ClaimAsync(PortalDbContext db, Guid runId, CancellationToken ct)
    {
        var run = await db.DataJobs.AsNoTracking().SingleAsync(j => j.Id == runId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (run.State != RunState.Queued && !IsDead(run, registry.Instance, now))
        {
            return null;
        }

        var (state, heartbeat, owner) = (run.State, run.HeartbeatAt, run.Owner);
        var claimable = db.DataJobs.Where(j => j.Id == runId && j.State == state && j.HeartbeatAt == heartbeat && j.Owner == owner);
        if (run.CancelRequestedAt is not null && await kinds.Single(k => k.Kind == run.Kind).AbandonAsync(run, ct))
        {
            // Someone cancelled it while its owner was gone: it ends cancelled instead of starting again.
            await claimable.ExecuteUpdateAsync(s => s.SetProperty(j => j.State, RunState.Cancelled).SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.HeartbeatAt, (DateTime?)null).SetProperty(j => j.Message, "Cancelled; nothing of it was kept.").SetProperty(j => j.Version, j => j.Version + 1), ct);
            return null;
        }

        var claimed = await claimable
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, RunState.Running).SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.StartedAt, now)
                .SetProperty(j => j.Owner, registry.Instance).SetProperty(j => j.Version, j => j.Version + 1), ct);
        return claimed == 1 ? await db.DataJobs.AsNoTracking().SingleAsync(j => j.Id == runId, ct) : null;
    }

    /// <summary>
    /// Pushes progress to pages a few times a second; every <see cref="Heartbeat"/> writes the heartbeat and progress to
    /// the row and stops the work if someone cancelled it in another process.
    /// </summary>
    private async Task PulseAsync(LiveRun live, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        using var timer = new PeriodicTimer(Pulse, clock);
        var lastBeat = clock.GetUtcNow();
        var last = live.Snapshot(RunState.Running);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = live.Snapshot(RunState.Running);
                if (now != last)
                {
                    notifier.Publish(now);
                    last = now;
                }

                if (clock.GetUtcNow() - lastBeat >= Heartbeat)
                {
                    lastBeat = clock.GetUtcNow();
                    try
                    {
                        await BeatAsync(db, live, ct);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // One failed beat (a timeout, a deadlock victim) must not end the heartbeat: the next one tries again.
                        log.LogWarning(ex, "Heartbeat of run {RunId} failed; trying again at the next beat", live.RunId);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task BeatAsync(PortalDbContext db, LiveRun live, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var beat = await db.DataJobs.Where(j => j.Id == live.RunId && j.State == RunState.Running && j.Owner == registry.Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.Processed, live.Rows).SetProperty(j => j.BytesDone, live.Bytes)
                .SetProperty(j => j.BytesTotal, live.BytesTotal), ct);
        // No row beat: another process took the run over (this one was silent too long), so this copy stops.
        if (beat == 0 || await db.DataJobs.AnyAsync(j => j.Id == live.RunId && j.CancelRequestedAt != null, ct))
        {
            registry.TryCancel(live.RunId);
        }
    }

    /// <summary>Records the end of a run that is still Running (a kind may already have written its own outcome).</summary>
    private async Task FinishAsync(Guid runId, RunState state, string? message)
    {
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        var now = clock.GetUtcNow().UtcDateTime;
        var text = message is { Length: > 4000 } ? message[..4000] : message;
        // Only while this process still owns it: a run taken over by another process is that one's to finish.
        await db.DataJobs.Where(j => j.Id == runId && j.State == RunState.Running && j.Owner == registry.Instance).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, state).SetProperty(j => j.Message, j => text ?? j.Message).SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.HeartbeatAt, (DateTime?)null).SetProperty(j => j.Version, j => j.Version + 1));
    }

    private async Task PublishStateAsync(Guid runId)
    {
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        var row = await db.DataJobs.AsNoTracking().Where(j => j.Id == runId)
            .Select(j => new RunUpdate(j.Id, j.ProjectId, j.State, j.Processed, j.Total, j.BytesDone, j.BytesTotal)).SingleOrDefaultAsync();
        if (row is not null)
        {
            notifier.Publish(row);
        }
    }
}
