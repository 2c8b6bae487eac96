using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Web.Taxonomy;

namespace Portal.Web.Dashboard;

/// <summary>
/// The tasks two annotators both submitted and disagreed on, worst first: each shared task is scored the way gold
/// tasks are (the mean over questions of exact span F1 and same-answer), through the migration map to today's labels,
/// like the nightly figures. Work on gold tasks is left out, as the nightly figures leave it out.
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

        var submitted = db.Annotations.AsNoTracking()
            .Where(x => x.ProjectId == projectId && x.Round == 0 && (x.Status == AnnotationStatus.Submitted || x.Status == AnnotationStatus.Accepted))
            .Where(x => !db.Tasks.Any(t => t.Id == x.TaskId && t.IsGold));
        // A's work by the (project, user) index, B's on the same task by the unique (task, user, round) index.
        var pairs = from x in submitted.Where(x => x.UserId == userA)
                    join y in submitted.Where(y => y.UserId == userB) on x.TaskId equals y.TaskId
                    select new { x.TaskId, A = x.Id, B = y.Id, AVersion = x.TaxonomyVersionId, BVersion = y.TaxonomyVersionId };
        var shared = await pairs.Select(p => new SharedTask(p.TaskId, p.A, p.AVersion, p.B, p.BVersion)).ToListAsync(ct);
        var currentVersion = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleOrDefaultAsync(ct);
        var controls = currentVersion is { } v ? await labelSets.GetAsync(db, v, ct) : [];
        // Written answers and relations are not scored (docs/decisions/0021-relations-free-text.md).
        var questions = controls.Where(c => c.Kind.IsScored()).Select(c => (c.Name, c.Kind == ControlKind.Spans)).ToList();
        var labelNames = controls.SelectMany(c => c.Labels).ToDictionary(l => l.Key, l => l.Name);
        var scored = await ScoreAsync(db, projectId, shared, questions, ct);
        var disagreed = scored.Where(s => s.Score < threshold - 1e-9).OrderBy(s => s.Score).ThenBy(s => s.TaskId).ToList();
        var page = disagreed.Where(s => after is null || s.Score > after.Score || (s.Score == after.Score && s.TaskId > after.TaskId)).Take(take + 1).ToList();
        var more = page.Count > take;
        page = [.. page.Take(take)];
        var ids = page.Select(p => p.TaskId).ToList();
        var excerpts = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.Id))
            .Select(t => new { t.Id, Text = t.Text.Substring(0, ExcerptLength) }).ToDictionaryAsync(t => t.Id, t => t.Text, ct);
        // Put in words for the page's tasks only: a pair may share 20,000 tasks.
        return new PairDisagreementPage(project.Name, a, b, shared.Count, disagreed.Count, threshold,
            [.. page.Select(p => new PairDisagreement(p.TaskId, excerpts.GetValueOrDefault(p.TaskId, ""), p.Score, Differences(p.A, p.B, questions, labelNames, a.Name, b.Name)))],
            more ? new PairCursor(page[^1].Score, page[^1].TaskId) : null);
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

        AnnotationResult Result(long id, Guid version)
        {
            var map = toCurrent(version);
            return new AnnotationResult(
                [.. spansOf[id].Select(s => s with { Label = map.Resolve(s.Label).Key })],
                [.. answersOf[id].Select(x => x with { Label = map.Resolve(x.Label).Key })]);
        }

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
