using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Agreement;

/// <summary>How often one annotator used one label of one question, in work made under one label-set version.</summary>
public sealed record LabelCount(string Control, Guid UserId, Guid VersionId, Guid LabelKey, int Count);

/// <summary>
/// The label mix of submitted work, counted per day. The nightly snapshot of day D stores the counts of the whole day
/// before it (work submitted in [D-1, D), which nothing later can add to) as <see cref="Measure"/> rows keyed
/// "control:NAME|label:LABELKEY|user:USERID|version:VERSIONID", plus one <see cref="DayKey"/> row saying the day is
/// counted even when nobody worked. The quality dashboard sums those rows and counts live only the days no night covers
/// yet (today): at 1M tasks grouping 60 days of answers on every load cost 2.7 s (benchmark project-home). Both sides
/// count with <see cref="CountAsync"/>, so they count alike. A past day's figures are those of its night: work rejected
/// or resubmitted afterwards still counts where it was when the night counted it.
/// </summary>
public static class LabelCounts
{
    public const string Measure = "labelCount";
    public const string DayKey = "day";

    /// <summary>Every label used in work submitted or accepted in [start, end), grouped per question, person, version and label.</summary>
    /// <param name="control">One question only, or null for all.</param>
    public static async Task<List<LabelCount>> CountAsync(PortalDbContext db, Guid projectId, DateTime start, DateTime end, string? control, CancellationToken ct)
    {
        var work = db.Annotations.Where(a => a.ProjectId == projectId && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted)
            && a.SubmittedAt >= start && a.SubmittedAt < end);
        var spans = await (from s in db.AnnotationSpans
                           join a in work on s.AnnotationId equals a.Id
                           where control == null || s.ControlName == control
                           group s by new { s.ControlName, a.UserId, a.TaxonomyVersionId, s.LabelKey } into g
                           select new LabelCount(g.Key.ControlName, g.Key.UserId, g.Key.TaxonomyVersionId, g.Key.LabelKey, g.Count())).ToListAsync(ct);
        var answers = await (from x in db.AnnotationAnswers
                             join a in work on x.AnnotationId equals a.Id
                             where control == null || x.ControlName == control
                             group x by new { x.ControlName, a.UserId, a.TaxonomyVersionId, x.LabelKey } into g
                             select new LabelCount(g.Key.ControlName, g.Key.UserId, g.Key.TaxonomyVersionId, g.Key.LabelKey, g.Count())).ToListAsync(ct);
        return [.. spans, .. answers];
    }

    /// <summary>
    /// The rows the snapshot of <paramref name="night"/> holds: the counts of the day before it and its <see cref="DayKey"/>
    /// row (the number of labels used that day). None while that day is not over at <paramref name="now"/>.
    /// </summary>
    public static async Task<List<(string Key, int Count)>> ForNightAsync(PortalDbContext db, Guid projectId, DateOnly night, DateTime now, CancellationToken ct)
    {
        var end = night.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        if (end > now)
        {
            return [];
        }

        var counts = await CountAsync(db, projectId, end.AddDays(-1), end, null, ct);
        return [(DayKey, counts.Sum(c => c.Count)), .. counts.Select(c => (Key(c), c.Count))];
    }

    public static string Key(LabelCount c) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix(c.Control)}{c.LabelKey}|user:{c.UserId}|version:{c.VersionId}");

    /// <summary>The start every key of one question shares.</summary>
    public static string Prefix(string control) => $"control:{control}|label:";

    /// <summary>A stored key back into its count; the question's name may hold '|', so the ids are read from the end.</summary>
    public static LabelCount? Parse(string key, int count)
    {
        var parts = key.Split('|');
        if (parts.Length < 4 || !key.StartsWith("control:", StringComparison.Ordinal)
            || !parts[^3].StartsWith("label:", StringComparison.Ordinal) || !Guid.TryParse(parts[^3]["label:".Length..], out var label)
            || !parts[^2].StartsWith("user:", StringComparison.Ordinal) || !Guid.TryParse(parts[^2]["user:".Length..], out var user)
            || !parts[^1].StartsWith("version:", StringComparison.Ordinal) || !Guid.TryParse(parts[^1]["version:".Length..], out var version))
        {
            return null;
        }

        return new LabelCount(string.Join('|', parts[..^3])["control:".Length..], user, version, label, count);
    }

    /// <summary>
    /// The counts of one question over the submit days [from, to]: summed from the nights that cover them, and counted
    /// live for the days no night has counted yet.
    /// </summary>
    public static async Task<List<LabelCount>> RangeAsync(PortalDbContext db, Guid projectId, string control, DateOnly from, DateOnly to, CancellationToken ct)
    {
        // Nights as a list of exact days, so the (project, day, measure, key) index seeks each night's rows of this question.
        var nights = Enumerable.Range(1, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var inProject = db.AgreementSnapshots.AsNoTracking().Where(s => s.ProjectId == projectId && nights.Contains(s.Day) && s.Measure == Measure);
        var counted = (await inProject.Where(s => s.Key == DayKey).Select(s => s.Day).ToListAsync(ct)).ToHashSet();
        var (low, high) = (Prefix(control), Prefix(control)[..^1] + ";");
        var stored = await inProject.Where(s => string.Compare(s.Key, low) >= 0 && string.Compare(s.Key, high) < 0)
            .GroupBy(s => s.Key).Select(g => new { g.Key, Count = g.Sum(s => s.Units) }).ToListAsync(ct);
        var counts = stored.Select(s => Parse(s.Key, s.Count)).OfType<LabelCount>().ToList();
        foreach (var (start, end) in Uncounted(from, to, counted))
        {
            counts.AddRange(await CountAsync(db, projectId, start, end, control, ct));
        }

        return counts;
    }

    /// <summary>The runs of submit days whose night has not counted them, as [start, end) times.</summary>
    private static IEnumerable<(DateTime Start, DateTime End)> Uncounted(DateOnly from, DateOnly to, HashSet<DateOnly> counted)
    {
        DateOnly? start = null;
        for (var day = from; day <= to.AddDays(1); day = day.AddDays(1))
        {
            var open = day <= to && !counted.Contains(day.AddDays(1));
            if (open && start is null)
            {
                start = day;
            }
            else if (!open && start is { } first)
            {
                yield return (first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
                start = null;
            }
        }
    }
}
