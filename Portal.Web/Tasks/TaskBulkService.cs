using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Audits;
using Portal.Web.Common;
using Portal.Web.Drift;

namespace Portal.Web.Tasks;

/// <summary>
/// The task browser's bulk actions, for managers: over the ticked tasks or all matching a filter (at most
/// <see cref="TaskBrowserService.BulkCap"/>). Every action is audited with the project and the count; a task that went
/// away or does not qualify is reported with why, never a failure of the whole action.
/// </summary>
public sealed class TaskBulkService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit, GoldService gold, DriftPolicy relabels, TimeProvider clock)
{
    public const int ReasonLength = 200;

    /// <summary>Marks the tasks as gold through <see cref="GoldService"/>; those without ground truth are refused.</summary>
    public async Task<BulkResult> MarkGoldAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, CancellationToken ct)
    {
        var (live, refused, capped) = await LiveAsync(user, projectId, selection, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = live.Select(t => t.Id).ToList();
        var withTruth = new HashSet<long>();
        foreach (var chunk in ids.Chunk(1000))
        {
            withTruth.UnionWith(await db.GroundTruths.Where(g => chunk.Contains(g.TaskId)).Select(g => g.TaskId).ToListAsync(ct));
        }

        refused.AddRange(ids.Where(id => !withTruth.Contains(id)).Select(id => new BulkRefusal(id, "has no ground truth yet: adjudicate it or wait for consensus")));
        var marked = withTruth.Count == 0 ? 0 : await gold.MarkAsync(user, projectId, [.. ids.Where(withTruth.Contains)], ct);
        return new BulkResult(marked, refused, capped);
    }

    /// <summary>Sets the tasks' priority: the queue serves higher priorities first.</summary>
    public async Task<BulkResult> SetPriorityAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, int priority, CancellationToken ct)
    {
        if (priority is < -1000 or > 1000)
        {
            throw new ValidationException("priority", "A priority is a whole number from -1000 to 1000; higher is served first.");
        }

        var (live, refused, capped) = await LiveAsync(user, projectId, selection, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var changed = 0;
        foreach (var chunk in live.Select(t => t.Id).Chunk(1000))
        {
            changed += await db.Tasks.Where(t => chunk.Contains(t.Id) && t.DeletedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Priority, priority).SetProperty(t => t.Version, t => t.Version + 1), ct);
        }

        await audit.WriteAsync(user.UserId, user.DisplayName, "task.priority", "task", Ids(live), projectId, $"{changed} task(s) set to priority {priority}", ct);
        return new BulkResult(changed, refused, capped);
    }

    /// <summary>
    /// Sends each task's submitted work back to the people who did it (another annotator when they no longer label
    /// here), with <paramref name="reason"/> shown to them; made the same way as the drift policy's relabel tasks.
    /// </summary>
    public async Task<BulkResult> SendToRelabelAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, string reason, CancellationToken ct)
    {
        reason = reason.Trim();
        if (reason.Length is 0 or > ReasonLength)
        {
            throw new ValidationException("reason", $"Say in a few words (up to {ReasonLength} characters) why the work goes back: the annotators read it.");
        }

        var (live, refused, capped) = await LiveAsync(user, projectId, selection, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = live.Select(t => t.Id).ToList();
        var candidates = new List<RelabelCandidate>();
        foreach (var chunk in ids.Chunk(1000))
        {
            candidates.AddRange(await db.Annotations.AsNoTracking()
                .Where(a => chunk.Contains(a.TaskId) && a.Round == 0 && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted))
                .OrderBy(a => a.TaskId).ThenBy(a => a.Id)
                .Select(a => new RelabelCandidate(a.TaskId, a.Id, a.UserId, $"Sent back from the task browser by {user.DisplayName}: {reason}")).ToListAsync(ct));
        }

        var made = await relabels.CreateRelabelItemsAsync(db, projectId, candidates, RelabelTarget.OriginalAnnotator, reason, null, int.MaxValue, ct);
        var sent = made.Where(r => r is not null).Select(r => r!.TaskId).ToHashSet();
        var labeled = candidates.Select(c => c.TaskId).ToHashSet();
        refused.AddRange(ids.Where(id => !sent.Contains(id)).Select(id => new BulkRefusal(id, labeled.Contains(id)
            ? "its work already waits for relabeling, or no annotator may take it"
            : "nobody has submitted work on it yet")));
        await audit.WriteAsync(user.UserId, user.DisplayName, "task.relabel", "task", Ids(live), projectId,
            $"{sent.Count} task(s), {made.Count(r => r is not null)} relabel task(s) made: {reason}", ct);
        return new BulkResult(sent.Count, refused, capped);
    }

    /// <summary>
    /// Deletes the tasks softly: never served again (reservations on them are dropped), never counted or exported, and
    /// restorable from the "Deleted" filter. Their work and history stay.
    /// </summary>
    public async Task<BulkResult> DeleteAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, CancellationToken ct)
    {
        var (live, refused, capped) = await LiveAsync(user, projectId, selection, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = 0;
        foreach (var chunk in live.Select(t => t.Id).Chunk(500))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var held = await db.Reservations.Where(r => chunk.Contains(r.TaskId)).GroupBy(r => r.TaskId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            await db.Reservations.Where(r => chunk.Contains(r.TaskId)).ExecuteDeleteAsync(ct);
            foreach (var h in held)
            {
                await db.Tasks.Where(t => t.Id == h.Key).ExecuteUpdateAsync(s => s.SetProperty(t => t.AssignedCount, t => t.AssignedCount - h.Count < 0 ? 0 : t.AssignedCount - h.Count), ct);
            }

            changed += await db.Tasks.Where(t => chunk.Contains(t.Id) && t.DeletedAt == null).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.DeletedAt, now).SetProperty(t => t.DeletedById, user.UserId).SetProperty(t => t.IsAvailable, false)
                .SetProperty(t => t.Version, t => t.Version + 1), ct);
            await tx.CommitAsync(ct);
        }

        await audit.WriteAsync(user.UserId, user.DisplayName, "task.delete", "task", Ids(live), projectId, $"{changed} task(s) deleted (restorable)", ct);
        return new BulkResult(changed, refused, capped);
    }

    /// <summary>Brings deleted tasks back: counted and served again as before.</summary>
    public async Task<BulkResult> RestoreAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, CancellationToken ct)
    {
        var (found, refused, capped) = await ResolveAsync(user, projectId, selection, ct);
        refused.AddRange(found.Where(t => t.DeletedAt is null).Select(t => new BulkRefusal(t.Id, "is not deleted")));
        var deleted = found.Where(t => t.DeletedAt is not null).ToList();
        await using var db = await factory.CreateDbContextAsync(ct);
        var changed = 0;
        foreach (var chunk in deleted.Select(t => t.Id).Chunk(1000))
        {
            changed += await db.Tasks.Where(t => chunk.Contains(t.Id) && t.DeletedAt != null).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.DeletedAt, (DateTime?)null).SetProperty(t => t.DeletedById, (Guid?)null)
                .SetProperty(t => t.IsAvailable, t => t.AssignedCount < t.TargetAnnotations).SetProperty(t => t.Version, t => t.Version + 1), ct);
        }

        await audit.WriteAsync(user.UserId, user.DisplayName, "task.restore", "task", Ids(deleted), projectId, $"{changed} task(s) restored", ct);
        return new BulkResult(changed, refused, capped);
    }

    /// <summary>The selection's tasks that can be exported (not deleted, still there), for <see cref="TaskExportService"/>.</summary>
    public async Task<(IReadOnlyList<long> Ids, BulkResult Result)> ExportableAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, CancellationToken ct)
    {
        var (live, refused, capped) = await LiveAsync(user, projectId, selection, ct);
        if (live.Count == 0)
        {
            throw new ValidationException("selection", "None of the chosen tasks can be exported (deleted or gone).");
        }

        return ([.. live.Select(t => t.Id)], new BulkResult(live.Count, refused, capped));
    }

    private sealed record Found(long Id, DateTime? DeletedAt);

    /// <summary>The selection's tasks that are not deleted; deleted and vanished ones are refused with why.</summary>
    private async Task<(List<Found> Live, List<BulkRefusal> Refused, bool Capped)> LiveAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, CancellationToken ct)
    {
        var (found, refused, capped) = await ResolveAsync(user, projectId, selection, ct);
        refused.AddRange(found.Where(t => t.DeletedAt is not null).Select(t => new BulkRefusal(t.Id, "was deleted")));
        return ([.. found.Where(t => t.DeletedAt is null)], refused, capped);
    }

    private async Task<(List<Found> Found, List<BulkRefusal> Refused, bool Capped)> ResolveAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var (ids, capped) = selection.AllMatching is { } filter
            ? await TaskBrowserService.MatchingIdsAsync(db, projectId, filter, ct)
            : ([.. (selection.Ids ?? []).Distinct()], false);
        if (ids.Count == 0)
        {
            throw new ValidationException("selection", "Tick at least one task (or choose all matching the filter).");
        }

        if (ids.Count > TaskBrowserService.BulkCap)
        {
            throw new ValidationException("selection", $"Choose at most {TaskBrowserService.BulkCap:N0} tasks at a time.");
        }

        var found = new List<Found>();
        foreach (var chunk in ids.Chunk(1000))
        {
            found.AddRange(await db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId && chunk.Contains(t.Id)).Select(t => new Found(t.Id, t.DeletedAt)).ToListAsync(ct));
        }

        var known = found.Select(t => t.Id).ToHashSet();
        var refused = ids.Where(id => !known.Contains(id)).Select(id => new BulkRefusal(id, "is no longer in this project")).ToList();
        return ([.. found.OrderBy(t => t.Id)], refused, capped);
    }

    private static string Ids(IEnumerable<Found> tasks)
    {
        var text = string.Join(",", tasks.Select(t => t.Id));
        return text.Length <= 100 ? text : text[..99] + "…";
    }
}
