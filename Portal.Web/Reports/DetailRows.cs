using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Reports;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Reports;

/// <summary>
/// The large sheet: one row per item with a ground truth decided in the period (ids, external id, answers, spans, who decided
/// and by which rule), read in keyset pages so that memory stays flat however many there are.
/// </summary>
public sealed class DetailRows(IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets)
{
    private const int Page = 2_000;

    public static readonly IReadOnlyList<ReportColumn> Columns =
    [
        new("Task", ColumnKind.Id), new("External id", ColumnKind.Text), new("Answers", ColumnKind.Text), new("Spans", ColumnKind.Text),
        new("Decided by", ColumnKind.Text), new("Rule", ColumnKind.Text), new("Source", ColumnKind.Text), new("Agreement", ColumnKind.Percent), new("Decided", ColumnKind.DateTime),
    ];

    public async Task<DetailSheet> SheetAsync(Guid projectId, DateTime start, DateTime end, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var count = await Query(db, projectId, start, end).LongCountAsync(ct);
        return new DetailSheet("Detail", "Detail", Columns, count, ReadAsync(projectId, start, end, count, CancellationToken.None));
    }

    private static IQueryable<Data.Entities.GroundTruth> Query(PortalDbContext db, Guid projectId, DateTime start, DateTime end)
    {
        // A query in a variable is inlined by EF; the extension method called inside the lambda would not translate.
        var published = db.Tasks.Published(db);
        return db.GroundTruths.AsNoTracking().Where(g => g.ProjectId == projectId && g.DecidedAt >= start && g.DecidedAt < end
            && published.Any(t => t.Id == g.TaskId));
    }

    private async IAsyncEnumerable<object?[]> ReadAsync(Guid projectId, DateTime start, DateTime end, long count, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var people = await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var names = new Dictionary<Guid, Dictionary<Guid, string>>();
        var after = 0L;
        var sent = 0L;
        while (sent < count)
        {
            var page = await Query(db, projectId, start, end).Where(g => g.TaskId > after).OrderBy(g => g.TaskId).Take(Page)
                .Join(db.Tasks, g => g.TaskId, t => t.Id, (g, t) => new { g.TaskId, t.ExternalId, g.TaxonomyVersionId, g.ResultJson, g.DecidedById, g.Rule, g.Source, g.Agreement, g.DecidedAt })
                .ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var g in page)
            {
                if (!names.TryGetValue(g.TaxonomyVersionId, out var labels))
                {
                    labels = (await labelSets.GetAsync(db, g.TaxonomyVersionId, ct)).SelectMany(c => c.Labels).DistinctBy(l => l.Key).ToDictionary(l => l.Key, l => l.Name);
                    names[g.TaxonomyVersionId] = labels;
                }

                var result = AnnotationResult.FromJson(g.ResultJson);
                string Label(Guid key) => labels.GetValueOrDefault(key, key.ToString());
                yield return
                [
                    g.TaskId, g.ExternalId, string.Join("; ", result.Answers.Select(a => $"{a.Control}: {Label(a.Label)}")),
                    string.Join("; ", result.Spans.Select(s => $"{Label(s.Label)} [{s.Start}–{s.End}]")),
                    g.DecidedById is { } by ? people.GetValueOrDefault(by, "Former member") : "Portal (rule)", g.Rule, g.Source.ToString(), g.Agreement, g.DecidedAt,
                ];
                if (++sent == count)
                {
                    yield break;
                }
            }

            after = page[^1].TaskId;
        }

        // Fewer rows than counted (ground truth removed meanwhile): the workbook writer refuses a short sheet, so say why.
        throw new InvalidOperationException($"The items changed while the report was written ({sent:N0} of {count:N0}); generate it again.");
    }
}
