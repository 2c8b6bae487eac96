using System.Collections.Concurrent;

namespace Portal.Web.Common;

/// <summary>
/// Keeps one computation per run key in this process (a double click, a nightly job meeting a resume). The scope names
/// the kind of run ("audit", "drift"), so an audit and a drift run of the same night never wait for each other.
/// </summary>
public sealed class RunLocks
{
    private readonly ConcurrentDictionary<(string, Guid, string), byte> held = new();

    /// <summary>A lease to dispose when done; null when the key is being computed already.</summary>
    public IDisposable? TryEnter(string scope, Guid projectId, string runKey) =>
        held.TryAdd((scope, projectId, runKey), 0) ? new Lease(() => held.TryRemove((scope, projectId, runKey), out _)) : null;

    private sealed class Lease(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
