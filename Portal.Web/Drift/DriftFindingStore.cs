using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Audits;
using Portal.Web.Jobs;

namespace Portal.Web.Drift;

/// <summary>
/// Stores what one check found on one night. A drift is one finding for as long as it is open: found again, its evidence,
/// items and severity are brought up to date; a rerun of the night therefore changes nothing. A dismissed drift stays
/// quiet unless it gets more severe; a resolved one that comes back is a new finding. Findings of the item-based checks
/// (label-set changes, old work) resolve by themselves once nothing waits any more. The check is recorded as done in
/// the same transaction, with the policy's relabel tasks of its new findings.
/// </summary>
public sealed class DriftFindingStore(IDbContextFactory<PortalDbContext> factory, DriftPolicy policy, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A dismissed drift found again within this time stays dismissed unless it is more severe.</summary>
    public static readonly TimeSpan DismissalHolds = TimeSpan.FromDays(30);

    public async Task SaveAsync(DriftRun run, DriftKind kind, IReadOnlyList<DriftFindingDraft> drafts, DriftSettings settings, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var night = RunKeys.WindowEnd(run.RunKey);
        var known = await db.DriftFindings
            .Where(f => f.ProjectId == run.ProjectId && f.Kind == kind &&
                (f.State == DriftFindingState.Open || f.State == DriftFindingState.Acknowledged || f.RunKey == run.RunKey || f.State == DriftFindingState.Dismissed))
            .ToListAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = new List<DriftFinding>();
        foreach (var draft in drafts.OrderBy(d => d.Subject, StringComparer.Ordinal))
        {
            var mine = known.Where(f => f.Subject == draft.Subject).ToList();
            var open = mine.FirstOrDefault(f => f.State is DriftFindingState.Open or DriftFindingState.Acknowledged);
            var dismissed = mine.Where(f => f.State == DriftFindingState.Dismissed).MaxBy(f => f.LastSeenAt);
            if (open is not null)
            {
                Update(open, draft, run.RunKey, now);
                await ReplaceItemsAsync(db, open, draft, ct);
            }
            else if (mine.Any(f => f.RunKey == run.RunKey))
            {
                // This night already found it, and someone has since resolved or dismissed it.
            }
            else if (dismissed is not null && dismissed.LastSeenAt >= night - DismissalHolds && draft.Severity <= dismissed.Severity)
            {
                dismissed.LastRunKey = run.RunKey;
                dismissed.LastSeenAt = now;
            }
            else
            {
                var finding = New(run, kind, draft, now);
                db.DriftFindings.Add(finding);
                await db.SaveChangesAsync(ct);
                db.DriftFindingItems.AddRange(draft.Items.Take(DriftLimits.MaxItemsPerFinding).Select(i => Item(finding, i)));
                created.Add(finding);
            }
        }

        if (kind is DriftKind.TaxonomyChange or DriftKind.Age)
        {
            var found = drafts.Select(d => d.Subject).ToHashSet(StringComparer.Ordinal);
            foreach (var done in known.Where(f => f.State is DriftFindingState.Open or DriftFindingState.Acknowledged && !found.Contains(f.Subject)))
            {
                // Nothing waits any more: relabeled, confirmed, or no longer old.
                done.State = DriftFindingState.Resolved;
                done.StateChangedAt = now;
                done.StateChangedById = null;
            }
        }

        await db.SaveChangesAsync(ct);
        foreach (var finding in created)
        {
            await policy.ApplyAsync(db, finding, PolicyOf(settings, kind), settings, actorId: null, ct);
        }

        var completed = await db.DriftRuns.SingleAsync(r => r.Id == run.Id, ct);
        completed.CompletedChecks = string.Join(",", Completed(completed.CompletedChecks).Append((int)kind).Distinct().Order());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        run.CompletedChecks = completed.CompletedChecks;
    }

    public static DriftAction PolicyOf(DriftSettings s, DriftKind kind) => kind switch
    {
        DriftKind.TaxonomyChange => s.TaxonomyAction,
        DriftKind.LabelDistributionShift => s.DistributionAction,
        DriftKind.AgreementDrop => s.AgreementAction,
        DriftKind.GoldAccuracyDrop => s.GoldAction,
        DriftKind.Age => s.AgeAction,
        DriftKind.IntraAnnotatorConsistency => s.RetestAction,
        _ => DriftAction.NotifyOnly,
    };

    private static IEnumerable<int> Completed(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture));

    private static DriftFinding New(DriftRun run, DriftKind kind, DriftFindingDraft draft, DateTime now)
    {
        var finding = new DriftFinding
        {
            ProjectId = run.ProjectId, RunKey = run.RunKey, LastRunKey = run.RunKey, Kind = kind, Subject = draft.Subject, Summary = "",
            EvidenceJson = "", State = DriftFindingState.Open, DetectedAt = now, ActionTaken = DriftAction.NotifyOnly,
        };
        Update(finding, draft, run.RunKey, now);
        return finding;
    }

    private static void Update(DriftFinding finding, DriftFindingDraft draft, string runKey, DateTime now)
    {
        finding.LastRunKey = runKey;
        finding.LastSeenAt = now;
        finding.Severity = draft.Severity;
        finding.Summary = draft.Summary.Length <= 1000 ? draft.Summary : draft.Summary[..999] + "…";
        finding.Statistic = Finite(draft.Statistic);
        finding.Threshold = Finite(draft.Threshold);
        finding.PValue = Finite(draft.PValue);
        finding.EvidenceJson = JsonSerializer.Serialize(draft.Evidence, draft.Evidence.GetType(), Json);
        finding.AffectedCount = Math.Max(draft.AffectedCount, draft.Items.Count);
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>Items that became relabel tasks stay; the others are replaced by tonight's list.</summary>
    private static async Task ReplaceItemsAsync(PortalDbContext db, DriftFinding finding, DriftFindingDraft draft, CancellationToken ct)
    {
        var id = finding.Id;
        await db.DriftFindingItems.Where(i => i.DriftFindingId == id && i.RelabelItemId == null).ExecuteDeleteAsync(ct);
        var kept = (await db.DriftFindingItems.Where(i => i.DriftFindingId == id).Select(i => new { i.TaskId, i.AnnotationId }).ToListAsync(ct))
            .Select(i => (i.TaskId, i.AnnotationId)).ToHashSet();
        db.DriftFindingItems.AddRange(draft.Items.Where(i => !kept.Contains((i.TaskId, i.AnnotationId)))
            .Take(Math.Max(0, DriftLimits.MaxItemsPerFinding - kept.Count)).Select(i => Item(finding, i)));
    }

    private static DriftFindingItem Item(DriftFinding finding, DriftItemDraft i) => new()
    {
        DriftFindingId = finding.Id, ProjectId = finding.ProjectId, TaskId = i.TaskId, AnnotationId = i.AnnotationId, UserId = i.UserId, Since = i.Since,
        Detail = i.Detail.Length <= 1000 ? i.Detail : i.Detail[..999] + "…",
    };
}
