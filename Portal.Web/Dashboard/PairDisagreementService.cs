using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Agreement;
using Portal.Web.Taxonomy;

namespace Portal.Web.Dashboard;

/// <summary>
/// The tasks two annotators both submitted and disagreed on, worst first: each shared task is scored the way gold
/// tasks are (the mean over questions of exact span F1 and same-answer), through the migration map to today's labels,
/// like the nightly figures. Work on gold tasks is left out, as the nightly figures leave it out. The nightly run stores
/// every pair's scored tasks (<see cref="PairScoreSet"/>); a list reads a page of them and scores only the tasks the two
/// changed since, so a click stays fast for a pair sharing tens of thousands of tasks.
/// </summary>
public sealed class PairDisagreementService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, LabelSetCache labelSets)
{
    public const int MaxPageSize = 200;
    private const int ExcerptLength = 160;

    public async Task<PairDisagreementPage> ListAsync(
        PortalPrincipal user, Guid projectId, Guid userA, Guid userB, PairCursor? after, int take, double threshold, CancellationToken ct)
    {
        if (userA == userB)
        {
            throw new ValidationException("UserB", "Pick two different annotators: a person always agrees with themselves.");
        }

        if (take is < 1 or > MaxPageSize)
        {
            throw new ValidationException("Take", $"A page holds 1 to {MaxPageSize} tasks.");
        }

        if (!(threshold > 0 && threshold <= 1))
        {
            throw new ValidationException("Threshold", "The agreement threshold lies above 0 and at most 1 (1 lists every task with any difference).");
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => new { p.Name, p.AnonymousAdjudication }).SingleAsync(ct);
        var people = await DashboardNames.AnnotatorsAsync(db, projectId, DashboardNames.Anonymize(project.AnonymousAdjudication, role), [userA, userB], ct);
        var a = people.Single(p => p.UserId == userA);
        var b = people.Single(p => p.UserId == userB);

        var currentVersion = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleOrDefaultAsync(ct);
        var controls = currentVersion is { } v ? await labelSets.GetAsync(db, v, ct) : [];
        var questions = PairScoring.Questions(controls);
        var labelNames = controls.SelectMany(c => c.Labels).ToDictionary(l => l.Key, l => l.Name);
        var (first, second) = PairScoring.Ordered(userA, userB);
        var set = await db.PairScoreSets.AsNoTracking().SingleOrDefaultAsync(s => s.ProjectId == projectId && s.UserA == first && s.UserB == second, ct);
        var limit = threshold - 1e-9;
        bool After(double score, long taskId) => after is null || score > after.Score || (score == after.Score && taskId > after.TaskId);

        // Without tonight's set for today's label set, every shared task is scored now; with it, only the tasks either of
        // them changed since, and the rest is a page of the stored scores.
        // A pair without a set shared nothing the night the sets were computed (the oldest set names it, in case a run
        // stopped midway); what they changed since is scored live either way.
        var night = set ?? await db.PairScoreSets.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.ComputedAt).FirstOrDefaultAsync(ct);
        var changed = night is null || night.TaxonomyVersionId != currentVersion ? null : await ChangedTasksAsync(db, projectId, userA, userB, night, ct);
        var live = await ScoreAsync(db, projectId, await SharedAsync(db, projectId, userA, userB, changed, ct), questions, ct);
        var (shared, disagreed) = (live.Count, live.Count(s => s.Score < limit));
        var candidates = live.Where(s => s.Score < limit && After(s.Score, s.TaskId)).Select(s => (s.TaskId, s.Score)).ToList();
        if (set is not null && changed is not null)
        {
            var stored = await StoredScoresAsync(db, projectId, set.Id, changed, ct);
            var counts = await stored.GroupBy(s => 1).Select(g => new { Shared = g.Count(), Disagreed = g.Count(s => s.Score < limit) }).SingleOrDefaultAsync(ct);
            (shared, disagreed) = (shared + (counts?.Shared ?? 0), disagreed + (counts?.Disagreed ?? 0));
            var worst = stored.Where(s => s.Score < limit);
            if (after is not null)
            {
                var (afterScore, afterTask) = (after.Score, after.TaskId);
                worst = worst.Where(s => s.Score > afterScore || (s.Score == afterScore && s.TaskId > afterTask));
            }

            candidates.AddRange((await worst
                .OrderBy(s => s.Score).ThenBy(s => s.TaskId).Take(take + 1).Select(s => new { s.TaskId, s.Score }).ToListAsync(ct)).Select(s => (s.TaskId, s.Score)));
        }

        var page = candidates.OrderBy(s => s.Score).ThenBy(s => s.TaskId).Take(take + 1).ToList();
        var more = page.Count > take;
        page = [.. page.Take(take)];
        var ids = page.Select(p => p.TaskId).ToList();
        // Put in words for the page's tasks only: a pair may share 20,000 tasks.
        var results = (await ScoreAsync(db, projectId, await SharedAsync(db, projectId, userA, userB, ids, ct), questions, ct)).ToDictionary(s => s.TaskId);
        var excerpts = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.Id))
            .Select(t => new { t.Id, Text = t.Text.Substring(0, ExcerptLength) }).ToDictionaryAsync(t => t.Id, t => t.Text, ct);
        return new PairDisagreementPage(project.Name, a, b, shared, disagreed, threshold,
            [.. page.Select(p => new PairDisagreement(p.TaskId, excerpts.GetValueOrDefault(p.TaskId, ""), p.Score,
                // A stored task whose work changed by a path that kept its date is listed with its stored score, without words.
                results.TryGetValue(p.TaskId, out var r) ? Differences(r.A, r.B, questions, labelNames, a.Name, b.Name) : []))],
            more ? new PairCursor(page[^1].Score, page[^1].TaskId) : null);
    }

    /// <summary>
    /// The tasks where either of them changed work since the set was computed, or added work after it (an import keeps the
    /// dates of its source). A task taken off gold since comes back with the next nightly run.
    /// </summary>
    private static async Task<List<long>> ChangedTasksAsync(PortalDbContext db, Guid projectId, Guid userA, Guid userB, PairScoreSet set, CancellationToken ct)
    {
        var (since, maxId) = (set.ComputedAt, set.MaxAnnotationId);
        return await db.Annotations.AsNoTracking()
            .Where(x => x.ProjectId == projectId && (x.UserId == userA || x.UserId == userB) && (x.UpdatedAt >= since || x.Id > maxId))
            .Select(x => x.TaskId).Distinct().ToListAsync(ct);
    }

    /// <summary>The set's stored scores of the tasks nobody changed since, outside tasks made gold since.</summary>
    private static async Task<IQueryable<PairTaskScore>> StoredScoresAsync(PortalDbContext db, Guid projectId, long setId, List<long> changed, CancellationToken ct)
    {
        // The project's gold tasks by the (project, gold) index, so the stored rows are read from their own index alone:
        // a look-up in Tasks per stored row cost 0.8 s for a pair sharing 20,000 tasks (benchmark project-home, 1M tasks).
        // (Compared with a parameter: SQLite uses no index for a bare boolean column.)
        var isGold = true;
        var gold = await db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId && t.IsGold == isGold).Select(t => t.Id).ToListAsync(ct);
        var leftOut = changed.Concat(gold).ToList();
        return db.PairTaskScores.AsNoTracking().Where(s => s.SetId == setId && !EF.Parameter(leftOut).Contains(s.TaskId));
    }

    /// <summary>The tasks both submitted (all of them, or those among <paramref name="onlyTasks"/>), outside gold tasks.</summary>
    private static async Task<List<SharedTask>> SharedAsync(PortalDbContext db, Guid projectId, Guid userA, Guid userB, List<long>? onlyTasks, CancellationToken ct)
    {
        if (onlyTasks is { Count: 0 })
        {
            return [];
        }

        var submitted = db.Annotations.AsNoTracking()
            .Where(x => x.Round == 0 && (x.Status == AnnotationStatus.Submitted || x.Status == AnnotationStatus.Accepted))
            .Where(x => !db.Tasks.Any(t => t.Id == x.TaskId && t.IsGold));
        if (onlyTasks is not null)
        {
            // Driven by the task ids (a page, or the tasks changed since the night) through the (user, task) index: with
            // the project in the condition SQLite walked all of A's work instead, 0.3-4 s at 1M tasks (benchmark project-home).
            var work = await submitted.Where(x => (x.UserId == userA || x.UserId == userB) && EF.Parameter(onlyTasks).Contains(x.TaskId))
                .Select(x => new { x.TaskId, x.UserId, x.Id, x.TaxonomyVersionId }).ToListAsync(ct);
            return [.. work.GroupBy(x => x.TaskId).Where(g => g.Count() == 2).Select(g =>
            {
                var (a, b) = (g.Single(x => x.UserId == userA), g.Single(x => x.UserId == userB));
                return new SharedTask(g.Key, a.Id, a.TaxonomyVersionId, b.Id, b.TaxonomyVersionId);
            })];
        }

        // A's work by the (project, user) index, B's on the same task by the unique (task, user, round) index.
        submitted = submitted.Where(x => x.ProjectId == projectId);
        return await (from x in submitted.Where(x => x.UserId == userA)
                      join y in submitted.Where(y => y.UserId == userB) on x.TaskId equals y.TaskId
                      select new SharedTask(x.TaskId, x.Id, x.TaxonomyVersionId, y.Id, y.TaxonomyVersionId)).ToListAsync(ct);
    }

    private sealed record SharedTask(long TaskId, long A, Guid AVersion, long B, Guid BVersion);

    /// <summary>A shared task's score, with both results in today's labels.</summary>
    private sealed record ScoredTask(long TaskId, double Score, AnnotationResult A, AnnotationResult B);

    private static async Task<List<ScoredTask>> ScoreAsync(
        PortalDbContext db, Guid projectId, List<SharedTask> shared, List<(string Name, bool IsSpans)> questions, CancellationToken ct)
    {
        if (shared.Count == 0)
        {
            return [];
        }

        // The ids go as one JSON array parameter (SQLite json_each, SQL Server OPENJSON), each probing the annotation index:
        // EF 10's default of one SQL variable per id overflows SQLite's 32,766 for a pair sharing 20,000 tasks, and
        // re-running the pair join inside the read cost 2.7 s at 300k tasks (benchmark project-home).
        var work = shared.SelectMany(s => new[] { s.A, s.B }).ToList();
        var spans = await db.AnnotationSpans.AsNoTracking().Where(s => EF.Parameter(work).Contains(s.AnnotationId))
            .Select(s => new { s.AnnotationId, s.ControlName, s.LabelKey, s.Start, s.End }).ToListAsync(ct);
        var answers = await db.AnnotationAnswers.AsNoTracking().Where(x => EF.Parameter(work).Contains(x.AnnotationId))
            .Select(x => new { x.AnnotationId, x.ControlName, x.LabelKey }).ToListAsync(ct);
        var spansOf = spans.ToLookup(s => s.AnnotationId, s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End));
        var answersOf = answers.ToLookup(s => s.AnnotationId, s => new AnswerValue(s.ControlName, s.LabelKey));
        var toCurrent = await TaxonomyMaps.ToCurrentAsync(db, projectId, shared.SelectMany(s => new[] { s.AVersion, s.BVersion }).Distinct(), ct);

        AnnotationResult Result(long id, Guid version) => PairScoring.InCurrentLabels(spansOf[id], answersOf[id], toCurrent(version));

        return [.. shared.Select(s =>
        {
            var (first, second) = (Result(s.A, s.AVersion), Result(s.B, s.BVersion));
            // The task score alone (GoldScoring.Score's number without its per-label figures): 0.25 ms a task through the
            // whole engine made a pair sharing 6,000 tasks take 1.5 s (benchmark project-home).
            return new ScoredTask(s.TaskId, GoldScoring.TaskScore(first, second, questions), first, second);
        })];
    }

    /// <summary>What differs, question by question, in words: "intent: Ana said Complaint, Ben said Other".</summary>
    private static List<string> Differences(
        AnnotationResult a, AnnotationResult b, List<(string Name, bool IsSpans)> questions, Dictionary<Guid, string> labelNames, string nameA, string nameB)
    {
        string Labels(IEnumerable<Guid> keys) => keys.Any() ? string.Join(", ", keys.Select(k => labelNames.GetValueOrDefault(k, "a retired label")).Order(StringComparer.CurrentCulture)) : "nothing";
        var differences = new List<string>();
        foreach (var (name, isSpans) in questions)
        {
            if (isSpans)
            {
                var first = a.Spans.Where(s => s.Control == name).Select(s => (s.Start, s.End, s.Label)).ToHashSet();
                var second = b.Spans.Where(s => s.Control == name).Select(s => (s.Start, s.End, s.Label)).ToHashSet();
                if (!first.SetEquals(second))
                {
                    differences.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{name}: {first.Intersect(second).Count()} of {first.Union(second).Count()} spans match exactly ({nameA} marked {first.Count}, {nameB} {second.Count})"));
                }
            }
            else
            {
                var first = a.Answers.Where(x => x.Control == name).Select(x => x.Label).ToHashSet();
                var second = b.Answers.Where(x => x.Control == name).Select(x => x.Label).ToHashSet();
                if (!first.SetEquals(second))
                {
                    differences.Add($"{name}: {nameA} said {Labels(first)}, {nameB} said {Labels(second)}");
                }
            }
        }

        return differences;
    }
}
