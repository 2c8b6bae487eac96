using System.Collections.Concurrent;
using Portal.Core.Security;

namespace Portal.Web.Common;

/// <summary>
/// Records refused access (a project the caller is not in, a role they lack, an admin page) as "access.denied" in the audit
/// log, so an admin sees who probed what. Rate-limited per person: someone hammering refused addresses writes at most
/// <see cref="PerWindow"/> entries per <see cref="Window"/>, and the entry that reaches the limit says so.
/// </summary>
public sealed class DenialLog(IServiceScopeFactory scopes, TimeProvider clock, ILogger<DenialLog> logger)
{
    public const int PerWindow = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Counter> counters = new();

    /// <summary>Records one denial; never throws (a refusal must stay a refusal even when the log is unavailable).</summary>
    public async Task RecordAsync(Guid? userId, string userName, string what, Guid? projectId, string reason)
    {
        var key = userId?.ToString("N") ?? "anonymous";
        var now = clock.GetUtcNow();
        var counter = counters.AddOrUpdate(key, _ => new Counter(now, 1), (_, c) => now - c.Since >= Window ? new Counter(now, 1) : c with { Count = c.Count + 1 });
        if (counter.Count > PerWindow)
        {
            return;
        }

        var details = counter.Count == PerWindow ? $"{reason} (limit reached: further denials of this person are not logged for {Window.TotalMinutes:0} minutes)" : reason;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AuditLog>().WriteAsync(userId, userName, "access.denied", "address", Truncate(what, 100), projectId, Truncate(details, 1000));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not record the access denial of {User} to {What}", userName, what);
        }
    }

    public Task RecordAsync(PortalPrincipal user, string what, Guid? projectId, string reason) =>
        RecordAsync(user.UserId, user.DisplayName, what, projectId, reason);

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    private sealed record Counter(DateTimeOffset Since, int Count);
}
