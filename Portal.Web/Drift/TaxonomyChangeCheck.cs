using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Web.Taxonomy;

namespace Portal.Web.Drift;

/// <summary>
/// Check 1: per label whose meaning changed (split, deprecated, or its definition edited), the submitted and accepted
/// first-round work that uses it and was labeled under an earlier label set than the change, not yet relabeled or
/// confirmed (both stamp the work with the current label set, so it drops out by itself). Work a split or deprecation
/// sent back to its annotator counts while its relabel task waits. One finding per label, subject "label:KEY".
/// <para>
/// Severity: High when 100 or more annotations wait or the oldest has waited 30 days or more; Medium when 20 or more
/// wait, the oldest has waited 7 days or more, or the label was split or deprecated (its old answers cannot be used
/// as they are); Low otherwise (a definition edit, a few items, recently).
/// </para>
/// </summary>
public sealed class TaxonomyChangeCheck(IDbContextFactory<PortalDbContext> factory) : IDriftCheck
{
    private const string Split = "split";
    private const string Deprecated = "deprecated";
    private const string Edited = "definition edited";

    public DriftKind Kind => DriftKind.TaxonomyChange;

    /// <summary>One change of a label's meaning: the label-set version that made it, when, by whom, and the definition diff.</summary>
    private sealed record Change(Guid Key, int Number, DateTime At, Guid ById, string Kind, IReadOnlyList<string> Diff);

    /// <summary>A piece of work using a changed label, with the label-set number it was labeled under.</summary>
    private sealed record Work(Guid Key, long Id, long TaskId, Guid UserId, DateTime SubmittedAt, int Under);

    public async Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
    {
        if (!context.Settings.TaxonomyCheck)
        {
            return [];
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        // Old projects get their definition history derived from the published label sets first (the same as the editor shows).
        await LabelDefinitions.EnsureAsync(db, context.ProjectId, ct);
        var versions = await (
            from t in db.Taxonomies
            where t.ProjectId == context.ProjectId
            join v in db.TaxonomyVersions on t.Id equals v.TaxonomyId
            where v.PublishedAt < context.Now
            select new { v.Id, v.Number }).AsNoTracking().ToDictionaryAsync(v => v.Id, v => v.Number, ct);
        var changes = await ChangesAsync(db, context, versions, ct);
        if (changes.Count == 0)
        {
            return [];
        }

        var work = await WaitingAsync(db, context, versions, changes, ct);
        var names = await LabelPathsAsync(db, versions.Keys, ct);
        var people = await PeopleAsync(db, changes.Values.SelectMany(c => c).Select(c => c.ById), ct);
        var findings = new List<DriftFindingDraft>();
        foreach (var (key, history) in changes.OrderBy(c => c.Key))
        {
            var waiting = work.Where(w => w.Key == key).ToList();
            if (waiting.Count > 0)
            {
                findings.Add(Finding(context, names.GetValueOrDefault(key, "a label"), history, waiting, people));
            }
        }

        return findings;
    }

    /// <summary>Each changed label's changes in label-set order (split and deprecation from the migration map, edits from the definition history).</summary>
    private static async Task<Dictionary<Guid, List<Change>>> ChangesAsync(
        PortalDbContext db, DriftCheckContext context, Dictionary<Guid, int> versions, CancellationToken ct)
    {
        var ids = versions.Keys.ToList();
        var structural = await (
            from m in db.LabelMigrations
            where ids.Contains(m.ToVersionId) && (m.Kind == LabelChangeKind.Split || m.Kind == LabelChangeKind.Deprecate)
            join v in db.TaxonomyVersions on m.ToVersionId equals v.Id
            select new { m.FromLabelKey, m.ToVersionId, m.Kind, v.PublishedAt, v.PublishedById }).AsNoTracking().ToListAsync(ct);
        var definitions = await db.LabelDefinitionVersions.AsNoTracking()
            .Where(d => d.ProjectId == context.ProjectId && d.ChangedAt < context.Now).OrderBy(d => d.LabelKey).ThenBy(d => d.Number).ToListAsync(ct);

        var changes = structural.Select(m => new Change(m.FromLabelKey, versions[m.ToVersionId], m.PublishedAt, m.PublishedById,
            m.Kind == LabelChangeKind.Split ? Split : Deprecated, [])).ToList();
        foreach (var label in definitions.GroupBy(d => d.LabelKey))
        {
            var ordered = label.ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (versions.TryGetValue(ordered[i].TaxonomyVersionId, out var number))
                {
                    changes.Add(new Change(label.Key, number, ordered[i].ChangedAt, ordered[i].ChangedById, Edited,
                        DefinitionDiff.Changes(LabelDefinitions.TextOf(ordered[i - 1]), LabelDefinitions.TextOf(ordered[i]))));
                }
            }
        }

        // In one label set, a split or deprecation says more than an edit of the same label's texts: it comes last.
        return changes.GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.OrderBy(c => c.Number).ThenBy(c => c.Kind == Edited ? 0 : 1).ToList());
    }

    /// <summary>
    /// First-round work submitted before the night that uses a changed label and was labeled under a label set older than
    /// the label's latest change: submitted or accepted, or sent back by the change with its relabel task still open.
    /// One grouped read for all labels (spans and answers together); the label-set test runs on the few version ids. The
    /// open relabel tasks are read once beforehand: a per-row test against them made SQLite scan RelabelItems (no index on
    /// AnnotationId) once per sent-back annotation, minutes on a project with a million annotations.
    /// </summary>
    private static async Task<List<Work>> WaitingAsync(
        PortalDbContext db, DriftCheckContext context, Dictionary<Guid, int> versions, Dictionary<Guid, List<Change>> changes, CancellationToken ct)
    {
        var keys = changes.Keys.ToList();
        var newest = changes.Values.Max(c => c[^1].Number);
        var older = versions.Where(v => v.Value < newest).Select(v => (Guid?)v.Key).ToList();
        var (projectId, now) = (context.ProjectId, context.Now);
        var waitingRelabel = (await db.RelabelItems.AsNoTracking()
            .Where(r => r.ProjectId == projectId && r.AnnotationId != null && r.CreatedAt < now && (r.ResolvedAt == null || r.ResolvedAt >= now))
            .Select(r => r.AnnotationId!.Value).ToListAsync(ct)).ToHashSet();
        var uses = db.AnnotationSpans.Where(s => keys.Contains(s.LabelKey)).Select(s => new { s.AnnotationId, s.LabelKey })
            .Union(db.AnnotationAnswers.Where(x => keys.Contains(x.LabelKey)).Select(x => new { x.AnnotationId, x.LabelKey }));
        var rows = await (
            from u in uses
            join a in db.Annotations on u.AnnotationId equals a.Id
            where a.ProjectId == projectId && a.Round == 0 && a.SubmittedAt < now &&
                (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted || a.Status == AnnotationStatus.Rejected)
            // Work from before the stamp existed: the label set of its first submission (or import).
            let under = a.LabeledUnderVersionId ?? db.AnnotationRevisions
                .Where(r => r.AnnotationId == a.Id && (r.Reason == RevisionReason.Submit || r.Reason == RevisionReason.Import))
                .OrderBy(r => r.Number).Select(r => (Guid?)r.TaxonomyVersionId).FirstOrDefault()
            where older.Contains(under)
            select new { u.LabelKey, a.Id, a.TaskId, a.UserId, a.Status, SubmittedAt = a.SubmittedAt!.Value, Under = under!.Value }).AsNoTracking().ToListAsync(ct);
        return [.. rows
            .Where(r => r.Status != AnnotationStatus.Rejected || waitingRelabel.Contains(r.Id))
            .Where(r => versions.TryGetValue(r.Under, out var number) && number < changes[r.LabelKey][^1].Number)
            .Select(r => new Work(r.LabelKey, r.Id, r.TaskId, r.UserId, r.SubmittedAt, versions[r.Under]))];
    }

    private static DriftFindingDraft Finding(DriftCheckContext context, string label, List<Change> history, List<Work> waiting, Dictionary<Guid, string> people)
    {
        var change = history[^1];
        // Work has waited since the first change after the label set it was labeled under.
        var since = waiting.ToDictionary(w => w.Id, w => history.First(c => c.Number > w.Under).At);
        var waits = waiting.Select(w => WaitStatistics.Days(since[w.Id], context.Now)).ToList();
        var oldest = waits.Max();
        var median = WaitStatistics.Median(waits);
        var what = change.Kind switch
        {
            Split => $"the label was split in v{change.Number}",
            Deprecated => $"the label was deprecated in v{change.Number}",
            _ => $"its definition was edited in v{change.Number}",
        };
        var items = waiting.OrderBy(w => since[w.Id]).ThenBy(w => w.SubmittedAt).ThenBy(w => w.Id).Take(DriftLimits.MaxItemsPerFinding)
            .Select(w => new DriftItemDraft(w.TaskId, w.Id, w.UserId, since[w.Id], $"labeled \"{label}\" under v{w.Under}; {what}")).ToList();
        var by = people.GetValueOrDefault(change.ById);
        var summary = $"{WaitStatistics.Count(waiting.Count, "annotation", "annotations")} labeled \"{label}\" before {what} " +
            $"({WaitStatistics.Date(change.At)}{(by is null ? "" : $" by {by}")}) wait for relabeling or confirmation; the oldest has waited {oldest:0.#} days.";
        var evidence = new TaxonomyChangeEvidence(change.Key, label, change.Kind, change.Number - 1, change.Number, change.At, by, change.Diff,
            waiting.Count, oldest, median);
        return new DriftFindingDraft(DriftLimits.LabelSubject(change.Key), Severity(change.Kind, waiting.Count, oldest), summary,
            waiting.Count, null, null, evidence, waiting.Count, items);
    }

    private static DriftSeverity Severity(string kind, int waiting, double oldestDays) =>
        waiting >= 100 || oldestDays >= 30 ? DriftSeverity.High
        : waiting >= 20 || oldestDays >= 7 || kind != Edited ? DriftSeverity.Medium
        : DriftSeverity.Low;

    /// <summary>Each label's newest path (its name in the latest label set that has it).</summary>
    private static async Task<Dictionary<Guid, string>> LabelPathsAsync(PortalDbContext db, IEnumerable<Guid> versionIds, CancellationToken ct)
    {
        var ids = versionIds.ToList();
        var labels = await db.Labels.AsNoTracking().Where(l => ids.Contains(l.TaxonomyVersionId))
            .Select(l => new { l.Key, l.Path, Number = db.TaxonomyVersions.Where(v => v.Id == l.TaxonomyVersionId).Select(v => v.Number).First() })
            .ToListAsync(ct);
        return labels.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.MaxBy(l => l.Number)!.Path);
    }

    private static async Task<Dictionary<Guid, string>> PeopleAsync(PortalDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }
}
