using Portal.Core.Jobs;

namespace Portal.Web.Jobs;

/// <summary>A run's progress or new state, as pushed to open pages.</summary>
public sealed record RunUpdate(Guid RunId, Guid ProjectId, RunState State, long Processed, long Total, long BytesDone, long BytesTotal)
{
    public bool Active => State is RunState.Queued or RunState.Running;
}

/// <summary>
/// Pushes the progress and the state changes of runs to the pages open in this process (their Blazor circuits carry
/// it to the browser). Runs that run in another process (SQL Server scale-out) are not pushed; pages fall back to
/// reading their heartbeat row.
/// </summary>
public sealed class RunNotifier(ILogger<RunNotifier> log)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, List<Action<RunUpdate>>> byProject = [];

    /// <summary>Calls <paramref name="handler"/> for every run of the project until the result is disposed; it is called on the run's thread, so it must only schedule work.</summary>
    public IDisposable Subscribe(Guid projectId, Action<RunUpdate> handler)
    {
        lock (gate)
        {
            if (!byProject.TryGetValue(projectId, out var handlers))
            {
                byProject[projectId] = handlers = [];
            }

            handlers.Add(handler);
        }

        return new Subscription(this, projectId, handler);
    }

    public void Publish(RunUpdate progress)
    {
        Action<RunUpdate>[] handlers;
        lock (gate)
        {
            handlers = byProject.TryGetValue(progress.ProjectId, out var list) ? [.. list] : [];
        }

        foreach (var handler in handlers)
        {
            try
            {
                handler(progress);
            }
            catch (Exception ex)
            {
                // A page that fails to take an update must not fail the run.
                log.LogWarning(ex, "A page failed to take the progress of run {RunId}", progress.RunId);
            }
        }
    }

    private void Unsubscribe(Guid projectId, Action<RunUpdate> handler)
    {
        lock (gate)
        {
            if (byProject.TryGetValue(projectId, out var handlers) && handlers.Remove(handler) && handlers.Count == 0)
            {
                byProject.Remove(projectId);
            }
        }
    }

    private sealed class Subscription(RunNotifier notifier, Guid projectId, Action<RunUpdate> handler) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                notifier.Unsubscribe(projectId, handler);
            }
        }
    }
}
