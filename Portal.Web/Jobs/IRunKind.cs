using Portal.Core.Jobs;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Jobs;

/// <summary>
/// One kind of durable run (import, export, …), registered explicitly with the services. <see cref="DurableRunner"/>
/// claims the run, beats its heart, reports its progress, cancels it and records how it ended; the kind does the work.
/// </summary>
public interface IRunKind
{
    RunKind Kind { get; }

    /// <summary>
    /// Undoes what a dead attempt of the run left behind (an import's staged rows), before a run cancelled while its
    /// owner was gone ends Cancelled. False when the run is past undoing (an import already publishing its tasks):
    /// then it is resumed to finish instead.
    /// </summary>
    Task<bool> AbandonAsync(DataJob run, CancellationToken ct);

    /// <summary>
    /// Does the work of a claimed run; reports progress to <paramref name="live"/>; observes <paramref name="ct"/>, which
    /// is cancelled when someone cancels the run. Writes the run's final state itself (with its outcome) or leaves it
    /// Running, in which case the runner marks it Succeeded.
    /// </summary>
    Task RunAsync(DataJob run, LiveRun live, CancellationToken ct);

    /// <summary>A message for the person who started the run when <paramref name="ex"/> is an expected failure (a bad file, a refused source); else null.</summary>
    string? Explain(Exception ex);
}

/// <summary>What a feature keeps for its runs past their retention (uploaded files, export files); applied every minute.</summary>
public interface IRunRetention
{
    Task ExpireAsync(CancellationToken ct);
}
