using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Audits;

/// <summary>One submitted annotation of an audit window, with the index of its stratum in <see cref="AuditPopulation.Strata"/>.</summary>
public readonly record struct PopulationItem(long AnnotationId, long TaskId, int Version, int Stratum);

/// <summary>
/// The work submitted in an audit window, read in one streaming pass: three cursors ordered by annotation id (the
/// annotations, their spans, their answers) are merged so that each annotation's main label is found without loading
/// entities or holding more than one annotation's labels. Items stay in id order, so a chosen id is found by binary search.
/// </summary>
public sealed class AuditPopulation
{
    private readonly Dictionary<AuditStratum, int> index = [];

    public List<AuditStratum> Strata { get; } = [];

    public List<int> Counts { get; } = [];

    public List<PopulationItem> Items { get; } = [];

    public IReadOnlyDictionary<AuditStratum, int> CountsByStratum() => Strata.Select((s, i) => (s, Counts[i])).ToDictionary(x => x.s, x => x.Item2);

    public PopulationItem Find(long annotationId)
    {
        int low = 0, high = Items.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var id = Items[mid].AnnotationId;
            if (id == annotationId)
            {
                return Items[mid];
            }

            (low, high) = id < annotationId ? (mid + 1, high) : (low, mid - 1);
        }

        throw new KeyNotFoundException($"Annotation {annotationId} is not in the audit window.");
    }

    /// <summary>Submitted, accepted or rejected work of any round in [start, end), gold tasks left out (gold has its own scoring).</summary>
    public static IQueryable<Annotation> InWindow(PortalDbContext db, Guid projectId, DateTime start, DateTime end) =>
        from a in db.Annotations
        where a.ProjectId == projectId
              && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted || a.Status == AnnotationStatus.Rejected)
              && a.SubmittedAt >= start && a.SubmittedAt < end
              && !db.Tasks.Any(t => t.Id == a.TaskId && t.IsGold)
        select a;

    public static async Task<AuditPopulation> ReadAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId, DateTime start, DateTime end, CancellationToken ct)
    {
        // Three contexts: each cursor holds its own open reader (SQL Server without MARS allows one per connection).
        await using var annotationsDb = await factory.CreateDbContextAsync(ct);
        await using var spansDb = await factory.CreateDbContextAsync(ct);
        await using var answersDb = await factory.CreateDbContextAsync(ct);
        var annotations = InWindow(annotationsDb, projectId, start, end).AsNoTracking().OrderBy(a => a.Id)
            .Select(a => new { a.Id, a.TaskId, a.UserId, a.Source, a.Version }).AsAsyncEnumerable();
        // The labels are read in annotation-id order over the window's id range, each checked against the window by its
        // key: the spans' index is walked in order, with no join order or sort left to the planner.
        var min = await InWindow(annotationsDb, projectId, start, end).MinAsync(a => (long?)a.Id, ct) ?? 0;
        var max = await InWindow(annotationsDb, projectId, start, end).MaxAsync(a => (long?)a.Id, ct) ?? -1;
        var window = InWindow(spansDb, projectId, start, end);
        var spans = spansDb.AnnotationSpans.Where(s => s.AnnotationId >= min && s.AnnotationId <= max && window.Any(a => a.Id == s.AnnotationId))
            .OrderBy(s => s.AnnotationId).Select(s => new LabelRow(s.AnnotationId, s.LabelKey)).AsAsyncEnumerable();
        var answerWindow = InWindow(answersDb, projectId, start, end);
        var answers = answersDb.AnnotationAnswers.Where(x => x.AnnotationId >= min && x.AnnotationId <= max && answerWindow.Any(a => a.Id == x.AnnotationId))
            .OrderBy(x => x.AnnotationId).Select(x => new LabelRow(x.AnnotationId, x.LabelKey)).AsAsyncEnumerable();

        var population = new AuditPopulation();
        await using var spanCursor = await LabelCursor.OpenAsync(spans, ct);
        await using var answerCursor = await LabelCursor.OpenAsync(answers, ct);
        var labels = new Dictionary<Guid, int>();
        await foreach (var a in annotations.WithCancellation(ct))
        {
            labels.Clear();
            await spanCursor.TakeAsync(a.Id, labels);
            await answerCursor.TakeAsync(a.Id, labels);
            population.Add(new AuditStratum(a.UserId, MainLabel(labels), a.Source), a.Id, a.TaskId, a.Version);
        }

        return population;
    }

    /// <summary>The label with most spans or answers; ties go to the lowest key, so the choice never depends on read order.</summary>
    public static Guid? MainLabel(Dictionary<Guid, int> labels)
    {
        Guid? best = null;
        var most = 0;
        foreach (var (key, count) in labels)
        {
            if (count > most || (count == most && best is { } b && key.CompareTo(b) < 0))
            {
                (best, most) = (key, count);
            }
        }

        return best;
    }

    private void Add(AuditStratum stratum, long annotationId, long taskId, int version)
    {
        if (!index.TryGetValue(stratum, out var i))
        {
            index[stratum] = i = Strata.Count;
            Strata.Add(stratum);
            Counts.Add(0);
        }

        Counts[i]++;
        Items.Add(new PopulationItem(annotationId, taskId, version, i));
    }

    private readonly record struct LabelRow(long AnnotationId, Guid LabelKey);

    /// <summary>A look-ahead over an id-ordered stream: takes the rows of one annotation at a time.</summary>
    private sealed class LabelCursor(IAsyncEnumerator<LabelRow> source) : IAsyncDisposable
    {
        private readonly IAsyncEnumerator<LabelRow> rows = source;
        private bool more;

        public static async Task<LabelCursor> OpenAsync(IAsyncEnumerable<LabelRow> source, CancellationToken ct)
        {
            var cursor = new LabelCursor(source.GetAsyncEnumerator(ct));
            cursor.more = await cursor.rows.MoveNextAsync();
            return cursor;
        }

        public async Task TakeAsync(long annotationId, Dictionary<Guid, int> labels)
        {
            while (more && rows.Current.AnnotationId <= annotationId)
            {
                if (rows.Current.AnnotationId == annotationId)
                {
                    labels[rows.Current.LabelKey] = labels.GetValueOrDefault(rows.Current.LabelKey) + 1;
                }

                more = await rows.MoveNextAsync();
            }
        }

        public ValueTask DisposeAsync() => rows.DisposeAsync();
    }
}
