using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Audits;

namespace Portal.Web.Demo;

/// <summary>
/// The demo's past, written with past dates: work on unlabeled tasks, gold scores, blind retests and nightly agreement
/// figures. Dates are the point, so this writes rows (the services stamp "now"); every answer is a real answer to the
/// task's text, made the way <see cref="DemoSeeder"/> makes the others.
/// </summary>
internal sealed class DemoDriftHistory(
    IDbContextFactory<PortalDbContext> factory, IServiceScopeFactory scopes, Guid projectId, Func<LabelingTask, AnnotationResult> careful)
{
    public const string PraiseOfStaff = "Praise of staff";
    public const string PraiseOfService = "Praise of service";

    /// <summary>Gold scores per phase (before and after the drop): the demo's gold window.</summary>
    public const int GoldPerPhase = 5;

    private readonly Random random = new(5);
    private Dictionary<(string Control, string Path), Guid> labels = [];
    private Dictionary<long, LabelingTask> tasks = [];
    private Guid versionId;

    public async Task LoadAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId!.Value).SingleAsync(ct);
        labels = await (from l in db.Labels
                        join c in db.TaxonomyControls on l.ControlId equals c.Id
                        where l.TaxonomyVersionId == versionId
                        select new { c.Name, l.Path, l.Key }).ToDictionaryAsync(x => (x.Name, x.Path), x => x.Key, ct);
        tasks = await db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId).ToDictionaryAsync(t => t.Id, ct);
    }

    /// <summary>The project, its first label set and guidelines, and its texts date from <paramref name="at"/>, before any of the history.</summary>
    public async Task StartedAsync(DateTime at, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.CreatedAt, at), ct);
        await db.TaxonomyVersions.Where(v => db.Taxonomies.Any(t => t.Id == v.TaxonomyId && t.ProjectId == projectId))
            .ExecuteUpdateAsync(u => u.SetProperty(v => v.PublishedAt, at), ct);
        await db.GuidelineVersions.Where(g => g.ProjectId == projectId).ExecuteUpdateAsync(u => u.SetProperty(g => g.CreatedAt, at), ct);
        await db.Tasks.Where(t => t.ProjectId == projectId).ExecuteUpdateAsync(u => u.SetProperty(t => t.CreatedAt, at), ct);
    }

    public bool IsPraise(LabelingTask task) => careful(task).Answers.Any(a => a.Control == "intent" && a.Label == labels[("intent", "Praise")]);

    /// <summary>The careful answer to a task in the current label set: praise sorted into its new parts.</summary>
    public AnnotationResult Current(long taskId)
    {
        var result = careful(tasks[taskId]);
        if (!labels.TryGetValue(("intent", PraiseOfStaff), out var staff))
        {
            return result;
        }

        var praise = labels[("intent", "Praise")];
        var part = result.Spans.Any(s => s.Label == labels[("entities", "Person")]) ? staff : labels[("intent", PraiseOfService)];
        return result with { Answers = [.. result.Answers.Select(a => a.Label == praise ? a with { Label = part } : a)] };
    }

    /// <summary>
    /// <paramref name="user"/> submits <paramref name="count"/> unlabeled tasks that pass <paramref name="filter"/>, at
    /// <paramref name="when"/>(i); drifting work calls most messages "Other" and the mood "Neutral". Returns the task ids.
    /// </summary>
    public async Task<List<long>> LabelAsync(User user, int count, Func<LabelingTask, bool> filter, Func<int, DateTime> when, bool drift, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var free = await db.Tasks.Where(t => t.ProjectId == projectId && !t.IsGold && t.SubmittedCount == 0 && t.AssignedCount == 0)
            .OrderBy(t => t.Id).ToListAsync(ct);
        var picked = free.Where(t => filter(tasks[t.Id])).Take(count).ToList();
        for (var i = 0; i < picked.Count; i++)
        {
            var task = picked[i];
            var result = Current(task.Id);
            db.Annotations.Add(DemoSeeder.SubmittedAnnotation(task, user, versionId, drift ? Drifted(result) : result, when(i), random));
            Count(task);
        }

        await db.SaveChangesAsync(ct);
        return [.. picked.Select(t => t.Id)];
    }

    /// <summary>A second annotator gives the same careful answers to the same tasks, <paramref name="later"/> after the first.</summary>
    public async Task LabelSameAsync(User user, IReadOnlyList<long> taskIds, TimeSpan later, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var first = await db.Annotations.Where(a => taskIds.Contains(a.TaskId)).ToDictionaryAsync(a => a.TaskId, a => a.SubmittedAt!.Value, ct);
        foreach (var task in await db.Tasks.Where(t => taskIds.Contains(t.Id)).ToListAsync(ct))
        {
            db.Annotations.Add(DemoSeeder.SubmittedAnnotation(task, user, versionId, Current(task.Id), first[task.Id] + later, random));
            Count(task);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>Ground truth and accepted work of these tasks decided at <paramref name="at"/>.</summary>
    public async Task BackdateDecisionsAsync(IReadOnlyList<long> taskIds, DateTime at, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.GroundTruths.Where(g => taskIds.Contains(g.TaskId)).ExecuteUpdateAsync(u => u.SetProperty(g => g.DecidedAt, at), ct);
        await db.Annotations.Where(a => taskIds.Contains(a.TaskId) && a.Status == AnnotationStatus.Accepted).ExecuteUpdateAsync(u => u.SetProperty(a => a.UpdatedAt, at), ct);
        await db.TaskEvents.Where(e => taskIds.Contains(e.TaskId)).ExecuteUpdateAsync(u => u.SetProperty(e => e.At, at), ct);
    }

    /// <summary>
    /// Ten check tasks: five done well three to four weeks ago, five this week with the intent wrong, each scored by the
    /// gold service as any submission is, at the time it was submitted.
    /// </summary>
    public async Task GoldAsync(User user, DateTime today, CancellationToken ct)
    {
        var goldTasks = await GoldTasksAsync(ct);
        var scored = new List<(long TaskId, long AnnotationId, DateTime At)>();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var added = new List<(LabelingTask Task, Annotation Annotation)>();
            for (var i = 0; i < goldTasks.Count; i++)
            {
                var task = goldTasks[i];
                var good = i < GoldPerPhase;
                var at = good ? today.AddDays(-30 + (2 * i)).AddHours(14) : today.AddDays(-5 + (i - GoldPerPhase)).AddHours(14);
                var result = Current(task.Id);
                var annotation = DemoSeeder.SubmittedAnnotation(task, user, versionId, good ? result : WrongIntent(result), at, random);
                db.Annotations.Add(annotation);
                db.Tasks.Attach(task);
                Count(task);
                added.Add((task, annotation));
            }

            await db.SaveChangesAsync(ct);
            scored.AddRange(added.Select(x => (x.Task.Id, x.Annotation.Id, x.Annotation.SubmittedAt!.Value)));
        }

        await using var scope = scopes.CreateAsyncScope();
        var gold = scope.ServiceProvider.GetRequiredService<GoldService>();
        foreach (var (taskId, annotationId, at) in scored)
        {
            await gold.ScoreAsync(taskId, annotationId, ct);
            await using var db = await factory.CreateDbContextAsync(ct);
            await db.GoldScores.Where(s => s.AnnotationId == annotationId).ExecuteUpdateAsync(u => u.SetProperty(s => s.ScoredAt, at), ct);
        }
    }

    /// <summary>Blind retests of <paramref name="taskIds"/> answered at <paramref name="at"/>: the first three answered differently.</summary>
    public async Task RetestsAsync(User user, IReadOnlyList<long> taskIds, DateTime at, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var originals = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers)
            .Where(a => a.UserId == user.Id && taskIds.Contains(a.TaskId)).OrderBy(a => a.TaskId).ToListAsync(ct);
        for (var i = 0; i < originals.Count; i++)
        {
            var original = originals[i];
            var before = AnnotationStore.ScoredPartOf(original);
            db.Retests.Add(new Retest
            {
                ProjectId = projectId, TaskId = original.TaskId, UserId = user.Id, OriginalAnnotationId = original.Id, OriginalResultJson = before.ToJson(),
                OriginalSubmittedAt = original.SubmittedAt!.Value, ServedAt = at.AddMinutes(10 * i), ExpiresAt = at.AddMinutes((10 * i) + 30),
                ResultJson = (i < 3 ? Forgotten(before) : before).ToJson(), SubmittedAt = at.AddMinutes((10 * i) + 2),
            });
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// <paramref name="days"/> nights of agreement figures before today, as the nightly job writes them: steady, with the
    /// intent question's agreement dipping this week (Dana's drift).
    /// </summary>
    public async Task SnapshotsAsync(DateTime today, int days, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var noise = new Random(3);
        for (var d = days; d >= 1; d--)
        {
            var day = DateOnly.FromDateTime(today.AddDays(-d));
            var dip = d <= 6 ? 0.03 * (7 - d) : 0;
            var units = 40 + ((days - d) * 4);
            double Near(double mean) => Math.Round(mean + ((noise.NextDouble() - 0.5) * 0.04), 3);
            void Add(string measure, string key, double value, double? spread = null) => db.AgreementSnapshots.Add(new AgreementSnapshot
            {
                ProjectId = projectId, Day = day, TaxonomyVersionId = versionId, Measure = measure, Key = key, Value = value, Units = units,
                Low = spread is { } s ? Math.Round(value - s, 3) : null, High = spread is { } t ? Math.Round(value + t, 3) : null,
                ComputedAt = today.AddDays(-d).AddHours(2),
            });
            Add("spanF1Exact", "control:entities", Near(0.79));
            Add("spanF1Overlap", "control:entities", Near(0.87));
            Add("alphaUnitizing", "control:entities", Near(0.75));
            Add("krippendorffAlpha", "control:intent", Near(0.74 - dip), 0.07);
            Add("percentAgreement", "control:intent", Near(0.83 - dip));
            Add("krippendorffAlpha", "control:sentiment", Near(0.81), 0.06);
            Add("percentAgreement", "control:sentiment", Near(0.89));
        }

        await db.SaveChangesAsync(ct);
    }

    private async Task<List<LabelingTask>> GoldTasksAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var gold = await db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId && t.IsGold).OrderBy(t => t.Id).ToListAsync(ct);
        return [.. gold.Where(t => !IsPraise(tasks[t.Id])).Take(2 * GoldPerPhase)];
    }

    private static void Count(LabelingTask task)
    {
        task.AssignedCount++;
        task.SubmittedCount++;
        task.IsAvailable = task.AssignedCount < task.TargetAnnotations;
    }

    /// <summary>This week's Dana: seven in ten messages "Other", and as many moods "Neutral".</summary>
    private AnnotationResult Drifted(AnnotationResult result) => result with
    {
        Answers = [.. result.Answers.Select(a => a.Control switch
        {
            "intent" when random.NextDouble() < 0.7 => a with { Label = labels[("intent", "Other")] },
            "sentiment" when random.NextDouble() < 0.7 => a with { Label = labels[("sentiment", "Neutral")] },
            _ => a,
        })],
    };

    /// <summary>A retest answered as if the guidelines were forgotten: half the entities missed, intent and mood misread.</summary>
    private AnnotationResult Forgotten(AnnotationResult result)
    {
        var misread = WrongIntent(result);
        var moods = new[] { "Negative", "Neutral", "Positive" }.Select(m => labels[("sentiment", m)]).ToList();
        return misread with
        {
            Spans = [.. result.Spans.Where((_, i) => i % 2 == 0)],
            Answers = [.. misread.Answers.Select(a => a.Control == "sentiment" ? a with { Label = moods[(moods.IndexOf(a.Label) + 1) % moods.Count] } : a)],
        };
    }

    /// <summary>The intent answered as the next intent in the list: a plain misreading.</summary>
    private AnnotationResult WrongIntent(AnnotationResult result)
    {
        var intents = labels.Where(l => l.Key.Control == "intent" && l.Key.Path.Contains(" / ", StringComparison.Ordinal)).Select(l => l.Value).Order().ToList();
        return result with
        {
            Answers = [.. result.Answers.Select(a => a.Control == "intent" ? a with { Label = intents[(intents.IndexOf(a.Label) + 1) % intents.Count] } : a)],
        };
    }
}
