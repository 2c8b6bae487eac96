using System.Collections.Concurrent;

namespace Portal.Web.Jobs;

/// <summary>
/// The durable runs alive in this process, with their live progress and a way to cancel them. An import holds
/// SQLite's only write transaction while it runs, so its progress cannot be written to the database until it ends;
/// pages read it from here. A run listed here is known to be alive; a restart empties it (and changes
/// <see cref="Instance"/>), so what was left is resumed.
/// </summary>
public sealed class RunRegistry
{
    private readonly ConcurrentDictionary<Guid, LiveRun> running = new();

    /// <summary>This process, as written in the rows it owns: a new value on every start, so a restarted process never passes for its predecessor.</summary>
    public string Instance { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Marks the run as running here; false when it already is.</summary>
    public bool TryStart(Guid runId, Guid projectId, CancellationToken stopping, out LiveRun live)
    {
        live = new LiveRun(runId, projectId, stopping);
        if (running.TryAdd(runId, live))
        {
            return true;
        }

        live.Dispose();
        return false;
    }

    public void Stop(Guid runId)
    {
        if (running.TryRemove(runId, out var live))
        {
            live.Dispose();
        }
    }

    public LiveRun? Get(Guid runId) => running.GetValueOrDefault(runId);

    public bool IsRunning(Guid runId) => running.ContainsKey(runId);

    /// <summary>Cancels the run if it runs here; false when it does not (it may run in another process).</summary>
    public bool TryCancel(Guid runId)
    {
        if (!running.TryGetValue(runId, out var live))
        {
            return false;
        }

        live.Cancel();
        return true;
    }
}

/// <summary>One run's progress as it happens (written by the work's thread, read by pages and the heartbeat).</summary>
public sealed class LiveRun : IDisposable
{
    private readonly CancellationTokenSource cancel;
    private long rows;
    private long bytes;
    private long bytesTotal;
    private long total;

    internal LiveRun(Guid runId, Guid projectId, CancellationToken stopping)
    {
        RunId = runId;
        ProjectId = projectId;
        cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public Guid RunId { get; }
    public Guid ProjectId { get; }

    /// <summary>Cancelled when a person cancels the run or the process stops; the work gets this token.</summary>
    public CancellationToken Token => cancel.Token;

    /// <summary>True when a person cancelled it (not a shutdown).</summary>
    public bool CancelRequested { get; private set; }

    public long Rows => Interlocked.Read(ref rows);
    public long Bytes => Interlocked.Read(ref bytes);

    public long BytesTotal
    {
        get => Interlocked.Read(ref bytesTotal);
        set => Interlocked.Exchange(ref bytesTotal, value);
    }

    /// <summary>How many rows the run will process, when it knows (an export's number of tasks).</summary>
    public long Total
    {
        get => Interlocked.Read(ref total);
        set => Interlocked.Exchange(ref total, value);
    }

    public void SetRows(long value) => Interlocked.Exchange(ref rows, value);

    public void AddBytes(long value) => Interlocked.Add(ref bytes, value);

    /// <summary>Progress reported on the calling thread (not posted like <see cref="Progress{T}"/>).</summary>
    public IProgress<long> RowProgress => new RowReporter(this);

    internal void Cancel()
    {
        CancelRequested = true;
        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished meanwhile: nothing left to cancel.
        }
    }

    public RunUpdate Snapshot(Core.Jobs.RunState state) => new(RunId, ProjectId, state, Rows, Total, Bytes, BytesTotal);

    public void Dispose() => cancel.Dispose();

    private sealed class RowReporter(LiveRun live) : IProgress<long>
    {
        public void Report(long value) => live.SetRows(value);
    }
}
