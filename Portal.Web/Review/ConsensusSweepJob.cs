using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Queries;
using Portal.Web.Jobs;

namespace Portal.Web.Review;

/// <summary>
/// Evaluates complete tasks that no submit evaluated (a crash between the submit and its evaluation, an evaluation
/// that lost a race). Consensus evaluation is idempotent, so the sweep is too.
/// </summary>
public sealed class ConsensusSweepJob(IDbContextFactory<PortalDbContext> factory, ConsensusService consensus, ILogger<ConsensusSweepJob> logger) : IRecurringJob
{
    private const int BatchSize = 500;

    public async Task RunAsync(CancellationToken ct)
    {
        long after = 0;
        var evaluated = 0;
        while (true)
        {
            List<long> ids;
            await using (var db = await factory.CreateDbContextAsync(ct))
            {
                ids = await db.Tasks.AsNoTracking()
                    .Where(t => t.State == TaskState.Open && t.Id > after && t.SubmittedCount >= t.TargetAnnotations).Published(db)
                    .OrderBy(t => t.Id).Select(t => t.Id).Take(BatchSize).ToListAsync(ct);
            }

            if (ids.Count == 0)
            {
                break;
            }

            foreach (var id in ids)
            {
                if (await consensus.EvaluateAsync(id, ct) is not null)
                {
                    evaluated++;
                }
            }

            after = ids[^1];
        }

        if (evaluated > 0)
        {
            logger.LogInformation("Consensus sweep moved {Count} task(s) on.", evaluated);
        }
    }
}
