using System.Globalization;
using Portal.Core.Audits;
using Portal.Web.Common;

namespace Portal.Web.Jobs;

/// <summary>
/// Run keys name the end of a run's window, so the window is a pure function of the key: a night "yyyy-MM-dd" ends at that
/// date's midnight (UTC); an on-demand run "on-demand-yyyy-MM-ddTHH:mmZ" ends at that minute, so a second click in the same
/// minute is the same run.
/// </summary>
public static class RunKeys
{
    private const string OnDemandPrefix = "on-demand-";
    private const string MinuteFormat = "yyyy-MM-dd'T'HH:mm'Z'";

    public static string Night(DateOnly night) => night.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string OnDemand(DateTime utcNow) => OnDemandPrefix + utcNow.ToString(MinuteFormat, CultureInfo.InvariantCulture);

    /// <summary>A run as a reader names it: "night of 2026-11-21", or "2026-11-21 14:05" (UTC) for one started on demand.</summary>
    public static string Describe(string runKey, AuditTrigger trigger, DateTime windowEnd) =>
        trigger == AuditTrigger.Nightly ? $"night of {runKey}" : windowEnd.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static DateTime WindowEnd(string runKey)
    {
        if (DateOnly.TryParseExact(runKey, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var night))
        {
            return night.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }

        if (runKey.StartsWith(OnDemandPrefix, StringComparison.Ordinal)
            && DateTime.TryParseExact(runKey[OnDemandPrefix.Length..], MinuteFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var minute))
        {
            return minute;
        }

        throw new ValidationException("RunKey", $"The run key \"{runKey}\" is neither a night (2026-11-29) nor an on-demand minute (on-demand-2026-11-29T14:05Z).");
    }
}

/// <summary>
/// The shape every nightly per-project job shares (audits, drift checks): each active project in turn, runs a crash or a
/// failure left unfinished resumed first by the caller, one project's failure never stopping the others, and the job
/// failing at the end so Hangfire retries (the finished projects are then no-ops, runs being keyed by the night).
/// </summary>
public static class NightlyProjects
{
    /// <summary>A run unfinished this long is taken as abandoned by a dead process (a live one finishes a night in minutes).</summary>
    public static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(30);

    /// <param name="what">The job in a reader's words, for the log and the failure ("audit", "drift checks").</param>
    /// <param name="run">Runs one project; false when its run ended failed without throwing.</param>
    public static async Task RunEachAsync(string what, string key, IEnumerable<Guid> projects, Func<Guid, Task<bool>> run, ILogger log, CancellationToken ct)
    {
        var failed = new List<Guid>();
        foreach (var projectId in projects)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                if (!await run(projectId))
                {
                    failed.Add(projectId);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "The nightly {What} {RunKey} of project {ProjectId} failed; the other projects go on", what, key, projectId);
                failed.Add(projectId);
            }
        }

        if (failed.Count > 0)
        {
            throw new InvalidOperationException($"The nightly {what} {key} failed for {failed.Count} project(s): {string.Join(", ", failed)}; a retry resumes them.");
        }
    }
}
