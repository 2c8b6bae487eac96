using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Data;

namespace Portal.Web.Drift;

/// <summary>
/// Check 6, test-retest: per annotator, their blind retests submitted before the night's end against their original
/// answers (exact span F1 over the spans, Cohen's kappa over the choice answers, or percent agreement when only one
/// category was used and kappa is undefined; the agreement is the mean of the figures there are). A finding when they
/// have at least <c>RetestMinPairs</c> retests and the agreement is below <c>RetestThreshold</c>.
/// Severity: High when the agreement is more than 0.2 below the threshold, Medium when more than 0.1 below, else Low.
/// Items: the retested tasks whose answer changed, with the original annotation, least agreement first.
/// </summary>
public sealed class RetestCheck(IDbContextFactory<PortalDbContext> factory) : IDriftCheck
{
    /// <summary>How many of the latest retests the evidence lists.</summary>
    public const int RecentPairs = 20;

    public DriftKind Kind => DriftKind.IntraAnnotatorConsistency;

    public async Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
    {
        var settings = context.Settings;
        if (!settings.RetestCheck)
        {
            return [];
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        // Retests are a small share of the work (a few percent of submissions), so the pairs of the project fit in memory.
        var rows = await db.Retests.AsNoTracking()
            .Where(r => r.ProjectId == context.ProjectId && r.SubmittedAt != null && r.SubmittedAt < context.Now && r.ResultJson != null)
            .OrderBy(r => r.UserId).ThenBy(r => r.SubmittedAt).ThenBy(r => r.Id)
            .Select(r => new RetestRow(r.Id, r.UserId, r.TaskId, r.OriginalAnnotationId, r.OriginalSubmittedAt, r.SubmittedAt!.Value,
                r.OriginalResultJson, r.ResultJson!, db.Tasks.Where(t => t.Id == r.TaskId).Select(t => t.Text.Length).First()))
            .ToListAsync(ct);

        var flagged = new List<(Guid User, List<RetestRow> Rows, List<AnswerPair> Pairs, SelfAgreementResult Result)>();
        foreach (var group in rows.GroupBy(r => r.UserId))
        {
            var list = group.ToList();
            if (list.Count < settings.RetestMinPairs)
            {
                continue;
            }

            var pairs = list.Select(r => new AnswerPair(AnnotationResult.FromJson(r.OriginalJson), AnnotationResult.FromJson(r.ResultJson), r.TextLength)).ToList();
            var result = SelfAgreement.Over(pairs);
            if (result.Agreement < settings.RetestThreshold)
            {
                flagged.Add((group.Key, list, pairs, result));
            }
        }

        if (flagged.Count == 0)
        {
            return [];
        }

        var ids = flagged.Select(f => f.User).ToList();
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. flagged.Select(f => Finding(f.User, names.GetValueOrDefault(f.User, "An annotator"), f.Rows, f.Pairs, f.Result, settings.RetestThreshold))];
    }

    private static DriftFindingDraft Finding(Guid userId, string name, List<RetestRow> rows, List<AnswerPair> pairs, SelfAgreementResult result, double threshold)
    {
        var scored = rows.Select((r, i) => (Row: r, Agreement: SelfAgreement.Pair(pairs[i]))).ToList();
        var recent = scored.OrderByDescending(s => s.Row.SubmittedAt).ThenByDescending(s => s.Row.Id).Take(RecentPairs)
            .Select(s => new RetestPair(s.Row.TaskId, s.Row.OriginalAt, s.Row.SubmittedAt, s.Agreement)).ToList();
        var changed = scored.Where(s => s.Agreement < 1.0).OrderBy(s => s.Agreement).ThenBy(s => s.Row.TaskId).ThenBy(s => s.Row.Id).ToList();
        var items = changed.Take(DriftLimits.MaxItemsPerFinding)
            .Select(s => new DriftItemDraft(s.Row.TaskId, s.Row.OriginalAnnotationId, userId, s.Row.OriginalAt, string.Create(CultureInfo.InvariantCulture,
                $"Retest on {s.Row.SubmittedAt:yyyy-MM-dd} agrees {s.Agreement:0.00} with the answer of {s.Row.OriginalAt:yyyy-MM-dd}")))
            .ToList();
        var evidence = new RetestEvidence(userId, name, result.Pairs, result.SpanF1, result.Kappa, result.Agreement, threshold, result.Changed, recent);
        var severity = result.Agreement < threshold - 0.2 ? DriftSeverity.High : result.Agreement < threshold - 0.1 ? DriftSeverity.Medium : DriftSeverity.Low;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{name} agreed with their own earlier answers only {result.Agreement:0.00} (threshold {threshold:0.00}) on {result.Pairs} blind retests; {result.Changed} of {result.Pairs} answers changed.");
        if (result.KappaUndefined)
        {
            summary += " The choice answers are compared by percent agreement: only one category was used, so kappa is undefined.";
        }

        return new DriftFindingDraft(DriftLimits.Annotator(userId), severity, summary, result.Agreement, threshold, null, evidence, changed.Count, items);
    }

    private sealed record RetestRow(
        long Id, Guid UserId, long TaskId, long OriginalAnnotationId, DateTime OriginalAt, DateTime SubmittedAt, string OriginalJson, string ResultJson, int TextLength);
}
