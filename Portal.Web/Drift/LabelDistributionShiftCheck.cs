using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Data;
using Portal.Data.Entities;
using static Portal.Web.Drift.DriftNames;

namespace Portal.Web.Drift;

/// <summary>
/// Check 2: has the label mix moved? For the project and for each annotator, the labels of the work submitted in the
/// last <see cref="DriftSettings.WindowDays"/> days are compared with the <see cref="DriftSettings.BaselineDays"/> days
/// before: Pearson's chi-square test of homogeneity says whether the change is more than chance, the Jensen-Shannon
/// distance (base 2) how large it is. A finding needs p &lt; <see cref="DriftSettings.ShiftPValue"/>, a distance of at least
/// <see cref="DriftSettings.ShiftJsDistance"/> and <see cref="DriftSettings.ShiftMinItems"/> annotations in each window.
/// <para>
/// Labels are every span label and every choice answer of first-round work on ordinary tasks, counted by label key
/// resolved to the current label set (a merged label counts as the label it was merged into; a split or deprecated one
/// keeps its own key, since nobody decided yet what it became).
/// </para>
/// <para>Severity: High when the distance is at least twice the threshold, Medium at 1.5 times, Low otherwise.</para>
/// </summary>
public sealed class LabelDistributionShiftCheck(IDbContextFactory<PortalDbContext> factory) : IDriftCheck
{
    public DriftKind Kind => DriftKind.LabelDistributionShift;

    public async Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
    {
        var settings = context.Settings;
        var windows = new Windows(context.Now.AddDays(-settings.WindowDays - settings.BaselineDays), context.Now.AddDays(-settings.WindowDays), context.Now);
        await using var db = await factory.CreateDbContextAsync(ct);
        var work = await LabeledWorkAsync(db, context.ProjectId, windows, ct);
        if (work.Count < 2 * settings.ShiftMinItems)
        {
            return [];
        }

        var paths = await LabelPathsAsync(db, context.ProjectId, ct);
        var annotators = await AnnotatorsAsync(db, context.ProjectId, ct);
        var findings = new List<DriftFindingDraft>();
        if (Compare(work, windows, settings, paths) is { } project)
        {
            findings.Add(Draft(project, DriftLimits.Project, "The project", null, windows, settings));
        }

        foreach (var person in work.GroupBy(w => w.UserId).OrderBy(g => g.Key))
        {
            if (Compare([.. person], windows, settings, paths) is { } shift)
            {
                findings.Add(Draft(shift, DriftLimits.Annotator(person.Key), annotators(person.Key), person.Key, windows, settings));
            }
        }

        return findings;
    }

    /// <summary>[BaselineStart, WindowStart) is the baseline, [WindowStart, End) the window compared with it.</summary>
    private sealed record Windows(DateTime BaselineStart, DateTime WindowStart, DateTime End);

    private sealed record Labeled(long Id, long TaskId, Guid UserId, DateTime SubmittedAt, Guid[] Labels);

    private sealed record Shift(ChiSquareResult Test, double Js, List<DistributionBar> Bars, int BaselineItems, int WindowItems, List<Labeled> Window);

    /// <summary>The work of both windows with its labels, in three projections (no entities, no per-row queries).</summary>
    private static async Task<List<Labeled>> LabeledWorkAsync(PortalDbContext db, Guid projectId, Windows windows, CancellationToken ct)
    {
        var submitted = SubmittedWork(db, projectId).Where(a => a.SubmittedAt >= windows.BaselineStart && a.SubmittedAt < windows.End);
        var annotations = await submitted.Select(a => new { a.Id, a.TaskId, a.UserId, SubmittedAt = a.SubmittedAt!.Value, a.TaxonomyVersionId }).ToListAsync(ct);
        var spans = await (from s in db.AnnotationSpans join a in submitted on s.AnnotationId equals a.Id select new { s.AnnotationId, s.LabelKey }).ToListAsync(ct);
        var answers = await (from s in db.AnnotationAnswers join a in submitted on s.AnnotationId equals a.Id select new { s.AnnotationId, s.LabelKey }).ToListAsync(ct);
        var labels = spans.Concat(answers).ToLookup(l => l.AnnotationId, l => l.LabelKey);
        var toCurrent = await Taxonomy.TaxonomyMaps.ToCurrentAsync(db, projectId, annotations.Select(a => a.TaxonomyVersionId), ct);
        return [.. annotations
            .Select(a => new Labeled(a.Id, a.TaskId, a.UserId, a.SubmittedAt, [.. labels[a.Id].Select(k => toCurrent(a.TaxonomyVersionId).Resolve(k).Key)]))
            .OrderBy(a => a.Id)];
    }

    private static Shift? Compare(List<Labeled> work, Windows windows, DriftSettings settings, Dictionary<Guid, string> paths)
    {
        var baseline = work.Where(w => w.SubmittedAt < windows.WindowStart).ToList();
        var window = work.Where(w => w.SubmittedAt >= windows.WindowStart).ToList();
        if (baseline.Count < settings.ShiftMinItems || window.Count < settings.ShiftMinItems)
        {
            return null;
        }

        var before = baseline.SelectMany(w => w.Labels).CountBy(k => k).ToDictionary();
        var after = window.SelectMany(w => w.Labels).CountBy(k => k).ToDictionary();
        if (before.Count == 0 || after.Count == 0)
        {
            return null;
        }

        var keys = before.Keys.Union(after.Keys).OrderBy(k => Label(paths, k), StringComparer.Ordinal).ThenBy(k => k).ToList();
        long[] b = [.. keys.Select(k => (long)before.GetValueOrDefault(k))], a = [.. keys.Select(k => (long)after.GetValueOrDefault(k))];
        var test = ChiSquareTest.Homogeneity(b, a);
        var js = JensenShannon.Distance(b, a);
        if (!(test.PValue < settings.ShiftPValue && js >= settings.ShiftJsDistance))
        {
            return null;
        }

        double totalB = b.Sum(), totalA = a.Sum();
        var bars = keys.Select((k, i) => new DistributionBar(k, Label(paths, k), (int)b[i], (int)a[i], b[i] / totalB, a[i] / totalA)).ToList();
        return new Shift(test, js, bars, baseline.Count, window.Count, window);
    }

    private static DriftFindingDraft Draft(Shift shift, string subject, string who, Guid? annotatorId, Windows windows, DriftSettings settings)
    {
        // The labels that gained most share lead: their annotations are the first to look at again.
        var gained = shift.Bars.OrderByDescending(b => b.WindowShare - b.BaselineShare).ThenBy(b => b.LabelKey).ToList();
        var rank = gained.Select((b, i) => (b.LabelKey, i)).ToDictionary(x => x.LabelKey, x => x.i);
        var items = shift.Window
            .Select(w => (Work: w, Top: w.Labels.Length == 0 ? gained.Count : w.Labels.Min(k => rank[k])))
            .OrderBy(x => x.Top).ThenByDescending(x => x.Work.SubmittedAt).ThenByDescending(x => x.Work.Id)
            .Take(DriftLimits.MaxItemsPerFinding)
            .Select(x => new DriftItemDraft(x.Work.TaskId, x.Work.Id, x.Work.UserId, x.Work.SubmittedAt, x.Top < gained.Count
                ? $"Labeled {gained[x.Top].Label}: {Share(gained[x.Top].BaselineShare)} of labels before, {Share(gained[x.Top].WindowShare)} now"
                : "No label in this annotation"))
            .ToList();
        var top = gained[0];
        var summary = $"{Possessive(who)} label mix moved: Jensen-Shannon distance {N(shift.Js)}, {P(shift.Test.PValue)}, over " +
            $"{Count(shift.WindowItems, "item", "items")} in the last {settings.WindowDays} days against {Count(shift.BaselineItems, "item", "items")} " +
            $"in the {settings.BaselineDays} days before; {top.Label} went from {Share(top.BaselineShare)} to {Share(top.WindowShare)} of labels.";
        var evidence = new DistributionEvidence(
            annotatorId is null ? "project" : "annotator", annotatorId, windows.BaselineStart, windows.WindowStart, windows.WindowStart, windows.End,
            shift.BaselineItems, shift.WindowItems, shift.Bars, shift.Test.Statistic, shift.Test.DegreesOfFreedom, shift.Test.PValue, shift.Js,
            settings.ShiftPValue, settings.ShiftJsDistance, settings.ShiftMinItems);
        var severity = shift.Js >= 2 * settings.ShiftJsDistance ? DriftSeverity.High
            : shift.Js >= 1.5 * settings.ShiftJsDistance ? DriftSeverity.Medium : DriftSeverity.Low;
        return new DriftFindingDraft(subject, severity, summary, shift.Js, settings.ShiftJsDistance, shift.Test.PValue, evidence, shift.WindowItems, items);
    }
}
