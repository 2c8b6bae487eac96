using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Web.Agreement;
using Portal.Web.Taxonomy;

namespace Portal.Web.Dashboard;

/// <summary>
/// The quality dashboard's figures for QA leads (Reviewer role and up) and managers, read from the nightly agreement
/// snapshots (<see cref="AgreementSnapshotJob"/>); the label mix from their per-day counts plus today's live ones. Only
/// the needed columns of the needed rows come back: control-level rows over the range for the trends, and the pair and
/// label rows of one night (the latest in the filter).
/// </summary>
public sealed class QualityDashboardService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets, TimeProvider clock)
{
    /// <summary>The trend's range when the filter names none: the last 60 nights.</summary>
    public const int DefaultDays = 60;

    /// <summary>Ranges longer than this are refused: ten years of nights is already more than a chart can show.</summary>
    public const int MaxDays = 3660;

    /// <summary>The headline measure of a span question and of a choice question, as the drift check reads them.</summary>
    public const string SpanMeasure = "spanF1Exact";
    public const string OverlapMeasure = "spanF1Overlap";
    public const string ChoiceMeasure = "krippendorffAlpha";
    public const string ChoicePairMeasure = "cohenKappa";
    public const string AlphaUMeasure = "alphaUnitizing";

    public static string MeasureName(string measure) => measure switch
    {
        SpanMeasure => "span F1 (exact)",
        OverlapMeasure => "span F1 (overlap)",
        ChoiceMeasure => "Krippendorff's alpha",
        ChoicePairMeasure => "Cohen's kappa",
        AlphaUMeasure => "unitizing alpha",
        _ => measure,
    };

    public async Task<QualityDashboard> LoadAsync(PortalPrincipal user, Guid projectId, DashboardFilter filter, string? mixControl, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => new { p.Name, p.AnonymousAdjudication }).SingleAsync(ct);
        var currentVersion = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleOrDefaultAsync(ct);
        var controls = currentVersion is { } v ? await labelSets.GetAsync(db, v, ct) : [];
        var versions = await db.TaxonomyVersions.AsNoTracking().Where(tv => db.Taxonomies.Any(t => t.Id == tv.TaxonomyId && t.ProjectId == projectId))
            .OrderByDescending(tv => tv.Number).Select(tv => new VersionOption(tv.Id, tv.Number, tv.PublishedAt)).ToListAsync(ct);
        if (filter.TaxonomyVersionId is { } wanted && versions.All(o => o.Id != wanted))
        {
            throw new ValidationException("TaxonomyVersionId", "That label-set version is not one of this project's.");
        }

        var inProject = db.AgreementSnapshots.AsNoTracking().Where(s => s.ProjectId == projectId);
        var (from, to) = Range(filter, await inProject.MaxAsync(s => (DateOnly?)s.Day, ct));
        var questions = await db.TaxonomyControls.Where(c => versions.Select(o => o.Id).Contains(c.TaxonomyVersionId)).Select(c => c.Name).Distinct().ToListAsync(ct);
        var labelNames = controls.SelectMany(c => c.Labels.Select(l => (Control: c.Name, Key: l.Key.ToString(), Label: l.Name))).ToDictionary(l => (l.Control, l.Key), l => l.Label);
        var trends = await TrendsAsync(inProject, from, to, filter.TaxonomyVersionId, [SpanMeasure, ChoiceMeasure], [.. questions.Select(q => SnapshotKey.ControlPrefix + q)], ct);
        // The pair and label figures of the latest night in the filter: that night's rows only, one seek by (project, day).
        var latest = trends.SelectMany(t => t.Days).Select(d => (DateOnly?)d.Day).Max();
        var night = latest is { } day
            ? await inProject.Where(s => s.Day == day && (filter.TaxonomyVersionId == null || s.TaxonomyVersionId == filter.TaxonomyVersionId))
                .Where(s => s.Measure == SpanMeasure || s.Measure == OverlapMeasure || s.Measure == ChoicePairMeasure || s.Measure == AlphaUMeasure)
                .Select(s => new SnapshotRow(s.Day, s.Measure, s.Key, s.Value, s.Low, s.High, s.Units)).ToListAsync(ct)
            : [];
        var pairCells = PairCells(night);
        var people = await DashboardNames.AnnotatorsAsync(db, projectId, DashboardNames.Anonymize(project.AnonymousAdjudication, role),
            pairCells.SelectMany(c => new[] { c.A, c.B }), ct);
        var inMatrix = pairCells.SelectMany(c => new[] { c.A, c.B }).ToHashSet();
        var mix = await MixAsync(db, projectId, controls, mixControl, from, to, people, ct);

        return new QualityDashboard(
            project.Name, role, DashboardNames.Anonymize(project.AnonymousAdjudication, role), from, to, filter.TaxonomyVersionId, versions,
            [.. controls.Where(c => c.Kind.IsScored()).Select(c => c.Name)], people,
            [.. trends.Select(t => t with { Name = $"{t.Control}: {MeasureName(t.Measure)}" })],
            new PairMatrix(latest, [.. people.Where(p => inMatrix.Contains(p.UserId))], pairCells),
            LabelRows(night, labelNames),
            [.. night.Where(r => r.Measure == AlphaUMeasure && !r.Key.Contains('|')).Select(r => new ControlAlpha(r.Key[SnapshotKey.ControlPrefix.Length..], r.Value, r.Units))],
            mix);
    }

    /// <summary>Per-label agreement over the range for one span question (the dashboard's "per label" view, loaded on demand).</summary>
    public async Task<IReadOnlyList<AgreementTrend>> LabelTrendsAsync(PortalPrincipal user, Guid projectId, DashboardFilter filter, string control, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var currentVersion = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleOrDefaultAsync(ct);
        var controls = currentVersion is { } v ? await labelSets.GetAsync(db, v, ct) : [];
        var question = controls.FirstOrDefault(c => c.Name == control && c.Kind == ControlKind.Spans)
            ?? throw new ValidationException("Control", $"\"{control}\" is not a span question of this project's label set; per-label agreement exists for span questions only.");
        var inProject = db.AgreementSnapshots.AsNoTracking().Where(s => s.ProjectId == projectId);
        var (from, to) = Range(filter, await inProject.MaxAsync(s => (DateOnly?)s.Day, ct));
        var rows = await TrendsAsync(inProject, from, to, filter.TaxonomyVersionId, [SpanMeasure],
            [.. question.Labels.Select(l => $"{SnapshotKey.ControlPrefix}{control}|label:{l.Key}")], ct);
        var names = question.Labels.ToDictionary(l => l.Key.ToString(), l => l.Name);
        return [.. rows.Select(t => t with { Name = names.GetValueOrDefault(t.LabelKey!, "A retired label") }).OrderBy(t => t.Name, StringComparer.CurrentCulture)];
    }

    private (DateOnly From, DateOnly To) Range(DashboardFilter filter, DateOnly? latestNight)
    {
        var to = filter.To ?? latestNight ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var from = filter.From ?? to.AddDays(1 - DefaultDays);
        if (from > to)
        {
            throw new ValidationException("From", "The first day of the range must not lie after its last day.");
        }

        if (to.DayNumber - from.DayNumber >= MaxDays)
        {
            throw new ValidationException("From", $"The range spans more than {MaxDays} days; pick a shorter one.");
        }

        return (from, to);
    }

    private sealed record SnapshotRow(DateOnly Day, string Measure, string Key, double? Value, double? Low, double? High, int Units);

    /// <summary>
    /// The nightly rows of the given measures and slices. Days, measures and keys are lists of exact values, so the
    /// (project, day, measure, key) index answers with one seek per combination instead of scanning every pair row of the range.
    /// </summary>
    private static async Task<List<AgreementTrend>> TrendsAsync(
        IQueryable<Data.Entities.AgreementSnapshot> inProject, DateOnly from, DateOnly to, Guid? version, List<string> measures, List<string> keys, CancellationToken ct)
    {
        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var rows = inProject.Where(s => days.Contains(s.Day) && measures.Contains(s.Measure) && keys.Contains(s.Key));
        if (version is { } only)
        {
            rows = rows.Where(s => s.TaxonomyVersionId == only);
        }

        var list = await rows.Select(s => new SnapshotRow(s.Day, s.Measure, s.Key, s.Value, s.Low, s.High, s.Units)).ToListAsync(ct);
        return [.. list.GroupBy(r => (r.Key, r.Measure)).Select(g => (Key: SnapshotKey.Parse(g.Key.Key), Rows: g, g.Key.Measure))
            .Where(g => g.Key is not null)
            .OrderBy(g => g.Key!.Value.Control, StringComparer.Ordinal).ThenBy(g => g.Key!.Value.Label, StringComparer.Ordinal)
            .Select(g => new AgreementTrend(g.Key!.Value.Control, g.Key.Value.Label, g.Key.Value.Control, g.Measure,
                [.. g.Rows.OrderBy(r => r.Day).Select(r => new TrendDay(r.Day, r.Value, r.Low, r.High, r.Units))]))];
    }

    /// <summary>One cell per pair and question: span F1 (exact) for span questions, Cohen's kappa for choice questions.</summary>
    private static List<PairCell> PairCells(List<SnapshotRow> night) =>
        [.. night.Where(r => r.Measure is SpanMeasure or ChoicePairMeasure)
            .Select(r => (Row: r, Key: SnapshotKey.Parse(r.Key)))
            .Where(x => x.Key is { PairA: not null, PairB: not null })
            .Select(x => new PairCell(x.Key!.Value.Control, x.Row.Measure, x.Key.Value.PairA!.Value, x.Key.Value.PairB!.Value, x.Row.Value, x.Row.Units))];

    /// <summary>Per-label exact and overlap span F1, worst first (labels without a figure last).</summary>
    private static List<LabelAgreement> LabelRows(List<SnapshotRow> night, Dictionary<(string Control, string Key), string> names) =>
        [.. night.Where(r => r.Measure is SpanMeasure or OverlapMeasure)
            .Select(r => (Row: r, Key: SnapshotKey.Parse(r.Key)))
            .Where(x => x.Key is { Label: not null })
            .GroupBy(x => (x.Key!.Value.Control, Label: x.Key.Value.Label!))
            .Select(g => new LabelAgreement(g.Key.Control, g.Key.Label, names.GetValueOrDefault((g.Key.Control, g.Key.Label), "A retired label"),
                g.FirstOrDefault(x => x.Row.Measure == SpanMeasure).Row?.Value, g.FirstOrDefault(x => x.Row.Measure == OverlapMeasure).Row?.Value,
                g.Max(x => x.Row.Units)))
            .OrderBy(l => l.Exact ?? double.MaxValue).ThenBy(l => l.Name, StringComparer.CurrentCulture)];

    /// <summary>
    /// How often each annotator used each label of one question in work submitted in the range, against the project:
    /// the nightly counts per (person, label set, label) plus today's live ones (<see cref="LabelCounts"/>), then read
    /// through the migration map to today's labels.
    /// </summary>
    private static async Task<LabelMix?> MixAsync(
        PortalDbContext db, Guid projectId, IReadOnlyList<ControlView> controls, string? wanted, DateOnly from, DateOnly to, List<DashboardPerson> people, CancellationToken ct)
    {
        var control = wanted is null
            ? controls.FirstOrDefault(c => c.Kind.IsChoice()) ?? controls.FirstOrDefault(c => c.Kind == ControlKind.Spans)
            : controls.FirstOrDefault(c => c.Name == wanted && c.Kind.IsScored());
        if (control is null)
        {
            return wanted is null ? null : throw new ValidationException("Control", $"\"{wanted}\" is not a labeled question of this project's label set (written answers and relations have no label mix).");
        }

        var counts = await LabelCounts.RangeAsync(db, projectId, control.Name, from, to, ct);
        var toCurrent = await TaxonomyMaps.ToCurrentAsync(db, projectId, counts.Select(c => c.VersionId).Distinct(), ct);
        var labelNames = control.Labels.ToDictionary(l => l.Key, l => l.Name);
        var named = counts.Select(c => (c.UserId, Label: labelNames.GetValueOrDefault(toCurrent(c.VersionId).Resolve(c.LabelKey).Key, "A retired label"), c.Count)).ToList();
        var labels = named.GroupBy(n => n.Label).OrderByDescending(g => g.Sum(n => n.Count)).ThenBy(g => g.Key, StringComparer.CurrentCulture).Select(g => g.Key).ToList();
        static Dictionary<string, int> Counts(IEnumerable<(Guid UserId, string Label, int Count)> rows) =>
            rows.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        var rows = new List<LabelMixRow> { new(null, "Whole project", named.Sum(n => n.Count), Counts(named)) };
        rows.AddRange(people.Select(p => (Person: p, Rows: named.Where(n => n.UserId == p.UserId).ToList())).Where(x => x.Rows.Count > 0)
            .Select(x => new LabelMixRow(x.Person.UserId, x.Person.Name, x.Rows.Sum(r => r.Count), Counts(x.Rows))));
        return new LabelMix(control.Name, labels, rows);
    }
}
