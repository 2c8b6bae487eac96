using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Data;

namespace Portal.Web.Drift;

/// <summary>
/// Check 5, only for a project with a relabel age: ground truth decided, and accepted first-round work labeled, longer
/// ago than that age, oldest first. One finding, subject "project" (one list a manager works through, not one per
/// kind). A ground-truth item names an accepted (else submitted) annotation of its task, whose annotator relabels it;
/// without one, someone else does. Accepted work on a task already listed for its ground truth is not listed again.
/// Work relabeled within the age (a relabel revision since) is not old.
/// <para>
/// Severity: High when the oldest item is at least twice the relabel age old or 500 or more items are old; Medium when
/// 50 or more are; Low otherwise.
/// </para>
/// </summary>
public sealed class AgeCheck(IDbContextFactory<PortalDbContext> factory) : IDriftCheck
{
    public DriftKind Kind => DriftKind.Age;

    private sealed record Old(long TaskId, long? AnnotationId, Guid? UserId, DateTime At, bool GroundTruth);

    public async Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
    {
        if (!context.Settings.AgeCheck || context.RelabelAgeDays is not { } age || age <= 0)
        {
            return [];
        }

        var (projectId, now) = (context.ProjectId, context.Now);
        var cutoff = now.AddDays(-age);
        await using var db = await factory.CreateDbContextAsync(ct);
        // Relabels within the age, few: the annotations and tasks they renewed.
        var renewed = await db.AnnotationRevisions.AsNoTracking()
            .Where(r => r.Reason == RevisionReason.Relabel && r.ChangedAt >= cutoff && r.ChangedAt < now && r.Annotation!.ProjectId == projectId)
            .Select(r => new { r.AnnotationId, r.Annotation!.TaskId }).Distinct().ToListAsync(ct);
        var renewedTasks = renewed.Select(r => r.TaskId).Distinct().ToList();
        var renewedAnnotations = renewed.Select(r => r.AnnotationId).Distinct().ToList();

        var truths = db.GroundTruths.Where(g => g.ProjectId == projectId && g.DecidedAt < cutoff && !renewedTasks.Contains(g.TaskId));
        var accepted = db.Annotations.Where(a => a.ProjectId == projectId && a.Round == 0 && a.Status == AnnotationStatus.Accepted &&
            (a.SubmittedAt ?? a.UpdatedAt) < cutoff && !renewedAnnotations.Contains(a.Id) && !truths.Any(g => g.TaskId == a.TaskId));

        // The ages of all (dates only, for the counts and the median); the items themselves only as many as are kept.
        var truthDates = await truths.Select(g => g.DecidedAt).ToListAsync(ct);
        var acceptedDates = await accepted.Select(a => a.SubmittedAt ?? a.UpdatedAt).ToListAsync(ct);
        var total = truthDates.Count + acceptedDates.Count;
        if (total == 0)
        {
            return [];
        }

        var keep = DriftLimits.MaxItemsPerFinding;
        var oldTruths = await truths.OrderBy(g => g.DecidedAt).ThenBy(g => g.TaskId).Take(keep)
            .Select(g => new { g.TaskId, g.DecidedAt }).AsNoTracking().ToListAsync(ct);
        var oldAccepted = await accepted.OrderBy(a => a.SubmittedAt ?? a.UpdatedAt).ThenBy(a => a.Id).Take(keep)
            .Select(a => new Old(a.TaskId, a.Id, a.UserId, a.SubmittedAt ?? a.UpdatedAt, false)).AsNoTracking().ToListAsync(ct);
        var annotators = await AnnotationsOfAsync(db, projectId, [.. oldTruths.Select(t => t.TaskId)], ct);
        var items = oldTruths
            .Select(t => annotators.TryGetValue(t.TaskId, out var a) ? new Old(t.TaskId, a.Id, a.UserId, t.DecidedAt, true) : new Old(t.TaskId, null, null, t.DecidedAt, true))
            .Concat(oldAccepted).OrderBy(o => o.At).ThenBy(o => o.TaskId).ThenBy(o => o.AnnotationId).Take(keep)
            .Select(o => new DriftItemDraft(o.TaskId, o.AnnotationId, o.UserId, o.At,
                $"{(o.GroundTruth ? "ground truth decided" : "accepted work labeled")} {WaitStatistics.Date(o.At)}, {WaitStatistics.Days(o.At, now):0} days ago"))
            .ToList();

        var ages = truthDates.Concat(acceptedDates).Select(d => WaitStatistics.Days(d, now)).ToList();
        var oldest = truthDates.Concat(acceptedDates).Min();
        var oldestDays = WaitStatistics.Days(oldest, now);
        var severity = oldestDays >= 2 * age || total >= 500 ? DriftSeverity.High : total >= 50 ? DriftSeverity.Medium : DriftSeverity.Low;
        var summary = $"{WaitStatistics.Count(total, "item is", "items are")} older than the relabel age of {age} days: " +
            $"{WaitStatistics.Count(truthDates.Count, "ground truth", "ground truths")} and {WaitStatistics.Count(acceptedDates.Count, "accepted annotation", "accepted annotations")}; " +
            $"the oldest is from {WaitStatistics.Date(oldest)} ({oldestDays:0} days).";
        var evidence = new AgeEvidence(age, truthDates.Count, acceptedDates.Count, oldest, WaitStatistics.Median(ages));
        return [new DriftFindingDraft(DriftLimits.Project, severity, summary, oldestDays, age, null, evidence, total, items)];
    }

    /// <summary>Per task, the annotation whose annotator relabels its ground truth: accepted before submitted, then the earliest.</summary>
    private static async Task<Dictionary<long, (long Id, Guid UserId)>> AnnotationsOfAsync(PortalDbContext db, Guid projectId, List<long> taskIds, CancellationToken ct)
    {
        var rows = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Round == 0 && taskIds.Contains(a.TaskId) &&
                (a.Status == AnnotationStatus.Accepted || a.Status == AnnotationStatus.Submitted))
            .Select(a => new { a.TaskId, a.Id, a.UserId, a.Status, a.SubmittedAt }).ToListAsync(ct);
        return rows.GroupBy(r => r.TaskId).ToDictionary(g => g.Key, g => g
            .OrderBy(r => r.Status == AnnotationStatus.Accepted ? 0 : 1).ThenBy(r => r.SubmittedAt).ThenBy(r => r.Id)
            .Select(r => (r.Id, r.UserId)).First());
    }
}
