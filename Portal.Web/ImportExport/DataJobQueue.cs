using Hangfire;
using Portal.Web.Jobs;

namespace Portal.Web.ImportExport;

/// <summary>Where a started import or export runs: in the background in the web app, at once in the calling command.</summary>
public interface IDataJobQueue
{
    /// <summary>Hands the run to the durable runner; returns Hangfire's id of it, or null when it already ran.</summary>
    Task<string?> EnqueueAsync(Guid jobId, CancellationToken ct);
}

/// <summary>The web app's queue: a Hangfire job, so a restart resumes it.</summary>
public sealed class HangfireDataJobQueue(IBackgroundJobClient jobs) : IDataJobQueue
{
    public Task<string?> EnqueueAsync(Guid jobId, CancellationToken ct) =>
        Task.FromResult<string?>(jobs.Enqueue<DurableRunner>(r => r.RunAsync(jobId, CancellationToken.None)));
}

/// <summary>
/// The command line's queue: the same durable runner, in this process, before the call returns (no Hangfire server there);
/// <paramref name="report"/>, when given, hears the rows read every few seconds.
/// </summary>
public sealed class InlineDataJobQueue(DurableRunner runner, RunRegistry registry, Func<long, Task>? report = null) : IDataJobQueue
{
    public async Task<string?> EnqueueAsync(Guid jobId, CancellationToken ct)
    {
        var run = runner.RunAsync(jobId, ct);
        if (report is not null)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
            while (await Task.WhenAny(run, timer.WaitForNextTickAsync(CancellationToken.None).AsTask()) != run)
            {
                if (registry.Get(jobId) is { Rows: > 0 } live)
                {
                    await report(live.Rows);
                }
            }
        }

        await run;
        return null;
    }
}
