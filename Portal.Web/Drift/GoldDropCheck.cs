using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data;
using Portal.Data.Entities;
using static Portal.Web.Drift.DriftNames;

namespace Portal.Web.Drift;

/// <summary>
/// Check 4: has an annotator's gold score fallen? Per annotator, the mean of their last <see cref="DriftSettings.GoldWindow"/>
/// gold scores (recent) is compared with the mean of all their earlier ones (own baseline) and with the mean of every
/// gold score in the project (everyone, all time before the night). A finding when the own baseline minus recent is at
/// least <see cref="DriftSettings.GoldDrop"/> and recent is below the project mean; it needs <see cref="DriftSettings.GoldWindow"/>
/// recent and as many earlier scores. Welch's t-test of recent against earlier scores gives the p-value shown with it.
/// <para>
/// Severity: High when the drop is at least twice <see cref="DriftSettings.GoldDrop"/> and p &lt; 0.05; Medium when p &lt; 0.05;
/// Low otherwise (a drop of that size that ten scores cannot yet tell from chance).
/// </para>
/// <para>
/// The affected items are the annotator's work on ordinary tasks submitted since the first recent gold score — since the
/// drop began — newest first: what relabeling would redo.
/// </para>
/// </summary>
public sealed class GoldDropCheck(IDbContextFactory<PortalDbContext> factory) : IDriftCheck
{
    /// <summary>The chart shows at most this many of the annotator's latest scores.</summary>
    public const int MaxPoints = 500;

    public DriftKind Kind => DriftKind.GoldAccuracyDrop;

    public async Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
    {
        var window = context.Settings.GoldWindow;
        await using var db = await factory.CreateDbContextAsync(ct);
        var scores = await db.GoldScores.AsNoTracking()
            .Where(g => g.ProjectId == context.ProjectId && g.ScoredAt < context.Now)
            .Select(g => new Score(g.Id, g.UserId, g.Score, g.ScoredAt))
            .ToListAsync(ct);
        if (scores.Count < 2 * window)
        {
            return [];
        }

        var projectMean = scores.Average(s => s.Value);
        Func<Guid, string>? annotators = null;
        var findings = new List<DriftFindingDraft>();
        foreach (var person in scores.GroupBy(s => s.UserId).OrderBy(g => g.Key))
        {
            var history = person.OrderBy(s => s.At).ThenBy(s => s.Id).ToList();
            if (history.Count < 2 * window)
            {
                continue;
            }

            var recent = history[^window..];
            var earlier = history[..^window];
            double recentMean = recent.Average(s => s.Value), ownBaseline = earlier.Average(s => s.Value);
            if (ownBaseline - recentMean < context.Settings.GoldDrop || recentMean >= projectMean)
            {
                continue;
            }

            annotators ??= await AnnotatorsAsync(db, context.ProjectId, ct);
            var test = WelchTTest.Test([.. recent.Select(s => s.Value)], [.. earlier.Select(s => s.Value)]);
            var work = await WorkSinceAsync(db, context, person.Key, recent[0].At, ct);
            var drop = new Drop(person.Key, annotators(person.Key), history, recentMean, ownBaseline, projectMean, test);
            findings.Add(Draft(drop, work, context.Settings));
        }

        return findings;
    }

    private sealed record Score(long Id, Guid UserId, double Value, DateTime At);

    private sealed record Drop(Guid UserId, string Name, List<Score> History, double Recent, double OwnBaseline, double ProjectMean, WelchResult Test);

    private static async Task<(int Count, List<DriftItemDraft> Items)> WorkSinceAsync(PortalDbContext db, DriftCheckContext context, Guid userId, DateTime since, CancellationToken ct)
    {
        var work = SubmittedWork(db, context.ProjectId).Where(a => a.UserId == userId && a.SubmittedAt >= since && a.SubmittedAt < context.Now);
        var count = await work.CountAsync(ct);
        var items = await work.OrderByDescending(a => a.SubmittedAt).ThenByDescending(a => a.Id).Take(DriftLimits.MaxItemsPerFinding)
            .Select(a => new { a.Id, a.TaskId, SubmittedAt = a.SubmittedAt!.Value }).ToListAsync(ct);
        return (count, [.. items.Select(a => new DriftItemDraft(a.TaskId, a.Id, userId, a.SubmittedAt, "Labeled while the gold score was falling"))]);
    }

    private static DriftFindingDraft Draft(Drop drop, (int Count, List<DriftItemDraft> Items) work, DriftSettings settings)
    {
        var window = settings.GoldWindow;
        var shown = drop.History.Skip(Math.Max(0, drop.History.Count - MaxPoints)).ToList();
        var offset = drop.History.Count - shown.Count;
        var points = shown.Select((s, i) =>
        {
            var end = offset + i + 1;
            return new GoldPoint(s.At, s.Value, drop.History.Skip(Math.Max(0, end - window)).Take(Math.Min(window, end)).Average(x => x.Value));
        }).ToList();
        var change = drop.OwnBaseline - drop.Recent;
        var p = drop.Test.PValue;
        var severity = p < 0.05 && change >= 2 * settings.GoldDrop ? DriftSeverity.High : p < 0.05 ? DriftSeverity.Medium : DriftSeverity.Low;
        var summary = $"{Possessive(drop.Name)} gold score fell to {Share(drop.Recent)} over the last {window} gold tasks, from {Share(drop.OwnBaseline)} " +
            $"before ({Count(drop.History.Count - window, "score", "scores")}; {P(p)}); the project's mean is {Share(drop.ProjectMean)}. " +
            $"{Count(work.Count, "item", "items")} labeled since the drop began.";
        var evidence = new GoldTrendEvidence(drop.UserId, drop.Name, window, points, drop.Recent, drop.OwnBaseline, drop.ProjectMean, change,
            settings.GoldDrop, window, drop.History.Count - window, p);
        return new DriftFindingDraft(DriftLimits.Annotator(drop.UserId), severity, summary, change, settings.GoldDrop, p, evidence, work.Count, work.Items);
    }
}
