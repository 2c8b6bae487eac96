using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.Jobs;

/// <summary>
/// Deletes reservations past their expiry and gives their slots back to the tasks, in batches, each batch one
/// transaction, and closes blind retests left unanswered past their time. Idempotent: a reservation is released exactly once, so a rerun or a retry after a crash changes nothing.
/// </summary>
public sealed class ExpireReservationsJob(IDbContextFactory<PortalDbContext> factory, TimeProvider clock, ILogger<ExpireReservationsJob> logger) : IRecurringJob
{
    private const int BatchSize = 500;

    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var released = 0;
        while (true)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var expired = await db.Reservations
                .Where(r => r.ExpiresAt <= now)
                .OrderBy(r => r.Id)
                .Take(BatchSize)
                .Select(r => new { r.Id, r.TaskId })
                .ToListAsync(ct);
            if (expired.Count == 0)
            {
                break;
            }

            var ids = expired.Select(r => r.Id).ToList();
            var deleted = await db.Reservations.Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(ct);
            if (deleted != expired.Count)
            {
                // Someone else released some of them meanwhile (a submit, another worker): start the batch over.
                await tx.RollbackAsync(ct);
                continue;
            }

            foreach (var group in expired.GroupBy(r => r.TaskId))
            {
                var count = group.Count();
                await db.Tasks.Where(t => t.Id == group.Key)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(t => t.AssignedCount, t => t.AssignedCount - count < 0 ? 0 : t.AssignedCount - count)
                        .SetProperty(t => t.IsAvailable, t => t.DeletedAt == null && t.AssignedCount - count < t.TargetAnnotations)
                        .SetProperty(t => t.Version, t => t.Version + 1), ct);
            }

            await tx.CommitAsync(ct);
            released += expired.Count;
        }

        // Blind retests hold no slot: one left unanswered past its time is closed and never served again.
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await db.Retests.Where(r => r.SubmittedAt == null && r.ClosedAt == null && r.ExpiresAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClosedAt, now).SetProperty(r => r.Version, r => r.Version + 1), ct);
        }

        if (released > 0)
        {
            logger.LogInformation("Released {Count} expired reservation(s).", released);
        }
    }
}
