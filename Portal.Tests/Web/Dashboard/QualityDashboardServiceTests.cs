using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Agreement;
using Portal.Web.Dashboard;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Dashboard;

/// <summary>The dashboard's figures over seeded snapshots and real submissions on a real SQLite database.</summary>
public class QualityDashboardServiceTests
{
    private static readonly PortalPrincipal Admin = new(Guid.CreateVersion7(), "Alice Admin", new HashSet<string> { AppRoles.Admin });
    private static readonly DateOnly Last = new(2026, 3, 10);

    private static async Task<Guid> CurrentVersionAsync(TestDatabase database, Guid projectId)
    {
        await using var db = await database.ContextAsync();
        return await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId!.Value).SingleAsync();
    }

    private static AgreementSnapshot Row(Guid projectId, DateOnly day, string measure, string key, double value, int units, Guid? version = null, double? low = null, double? high = null) => new()
    {
        ProjectId = projectId, Day = day, Measure = measure, Key = key, Value = value, Units = units, TaxonomyVersionId = version, Low = low, High = high,
        ComputedAt = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
    };

    private static async Task SeedAsync(TestDatabase database, params AgreementSnapshot[] rows)
    {
        await using var db = await database.ContextAsync();
        db.AgreementSnapshots.AddRange(rows);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Load_ReadsTheRangesNights_FiltersByVersion_AndRefusesAnotherProjectsVersion()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var version = await CurrentVersionAsync(database, projectId);
        // Ten nights of intent alpha; the older five under no recorded version; a pair row that must not become a trend.
        await SeedAsync(database, [.. Enumerable.Range(0, 10).Select(i => Row(projectId, Last.AddDays(-i), "krippendorffAlpha", "control:intent", 0.7 + (i / 100.0), 40, i < 5 ? version : null, 0.6, 0.8)),
            Row(projectId, Last, "cohenKappa", $"control:intent|pair:{Guid.NewGuid()}|{Guid.NewGuid()}", 0.5, 30, version)]);
        var service = database.Get<QualityDashboardService>();

        var all = await service.LoadAsync(Admin, projectId, new DashboardFilter(Last.AddDays(-7), Last), null, default);
        var versioned = await service.LoadAsync(Admin, projectId, new DashboardFilter(null, null, version), null, default);

        var trend = Assert.Single(all.Trends);
        Assert.Equal(("intent", "krippendorffAlpha"), (trend.Control, trend.Measure));
        Assert.Equal(8, trend.Days.Count);
        Assert.Equal(Last.AddDays(-7), trend.Days[0].Day);
        Assert.Equal(0.77, trend.Days[0].Value!.Value, 1e-9);
        Assert.Equal((0.6, 0.8, 40), (trend.Days[0].Low!.Value, trend.Days[0].High!.Value, trend.Days[0].Units));
        Assert.Equal(Last, all.To);
        Assert.Equal(5, Assert.Single(versioned.Trends).Days.Count);
        var refused = await Assert.ThrowsAsync<ValidationException>(() => service.LoadAsync(Admin, projectId, new DashboardFilter(null, null, Guid.NewGuid()), null, default));
        Assert.Equal("TaxonomyVersionId", refused.Errors[0].Field);
        var backwards = await Assert.ThrowsAsync<ValidationException>(() => service.LoadAsync(Admin, projectId, new DashboardFilter(Last, Last.AddDays(-1)), null, default));
        Assert.Equal("From", backwards.Errors[0].Field);
    }

    [Fact]
    public async Task Load_TakesPairsAndLabelsFromTheLatestNight_WorstLabelFirst_AndLettersForQaLeadsOnly()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 3);
        var (a, b, c) = (people[0].UserId, people[1].UserId, people[2].UserId);
        await using (var db = await database.ContextAsync())
        {
            var reviewer = new User { Id = Guid.CreateVersion7(), ExternalId = "r", Email = "r@x", DisplayName = "Rita", CreatedAt = DateTime.UtcNow };
            db.Users.Add(reviewer);
            db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = reviewer.Id, Role = ProjectRole.Reviewer, AddedAt = DateTime.UtcNow.AddDays(1) });
            await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.AnonymousAdjudication, true));
            await db.SaveChangesAsync();
        }

        var version = await CurrentVersionAsync(database, projectId);
        IReadOnlyList<LabelOption> labels;
        Guid rileyId;
        await using (var db = await database.ContextAsync())
        {
            labels = (await database.Get<LabelSetCache>().GetAsync(db, version, default)).Single(q => q.Name == "entities").Labels;
            rileyId = await db.Users.Where(u => u.ExternalId == "r").Select(u => u.Id).SingleAsync();
        }

        await SeedAsync(database,
            Row(projectId, Last.AddDays(-1), "spanF1Exact", "control:entities", 0.8, 50),
            Row(projectId, Last, "spanF1Exact", "control:entities", 0.8, 50),
            Row(projectId, Last.AddDays(-1), "spanF1Exact", $"control:entities|pair:{a}|{b}", 0.1, 50),
            Row(projectId, Last, "spanF1Exact", $"control:entities|pair:{a}|{b}", 0.6, 50),
            Row(projectId, Last, "spanF1Exact", $"control:entities|pair:{a}|{c}", 0.9, 50),
            Row(projectId, Last, "spanF1Exact", $"control:entities|label:{labels[0].Key}", 0.9, 50),
            Row(projectId, Last, "spanF1Overlap", $"control:entities|label:{labels[0].Key}", 0.95, 50),
            Row(projectId, Last, "spanF1Exact", $"control:entities|label:{labels[1].Key}", 0.4, 50),
            Row(projectId, Last, "alphaUnitizing", "control:entities", 0.7, 45));
        var service = database.Get<QualityDashboardService>();
        var riley = new PortalPrincipal(rileyId, "Rita", new HashSet<string> { AppRoles.User });

        var board = await service.LoadAsync(Admin, projectId, new DashboardFilter(), null, default);
        var anonymous = await service.LoadAsync(riley, projectId, new DashboardFilter(), null, default);

        Assert.Equal(Last, board.Pairs.Day);
        Assert.Equal([0.6, 0.9], board.Pairs.Cells.Select(x => x.Value!.Value).Order());
        Assert.Equal([labels[1].Name, labels[0].Name], board.Labels.Select(l => l.Name));
        Assert.Equal(0.95, board.Labels[1].Overlap);
        Assert.Equal(0.7, Assert.Single(board.Alphas).AlphaU);
        Assert.Equal(["A0", "A1", "A2"], board.Pairs.People.Select(p => p.Name));
        Assert.False(board.Anonymous);
        Assert.True(anonymous.Anonymous);
        Assert.Equal(["Annotator A", "Annotator B", "Annotator C"], anonymous.Pairs.People.Select(p => p.Name));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.LoadAsync(people[0], projectId, new DashboardFilter(), null, default));
    }

    [Fact]
    public async Task PairList_ScoresSharedTasks_WorstFirst_AndPagesByKeyset()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 4, overlap: 2, annotators: 2);
        var labeling = database.Get<LabelingService>();
        var differences = new Dictionary<long, int>();
        for (var i = 0; i < 4; i++)
        {
            var first = (await labeling.NextAsync(people[0], projectId, default))!;
            await labeling.SubmitAsync(people[0], projectId, first.TaskId, LabelingServiceTests.Answered(first, (24, 38)), first.Version, 1000, default);
        }

        for (var i = 0; i < 4; i++)
        {
            var item = (await labeling.NextAsync(people[1], projectId, default))!;
            var answer = LabelingServiceTests.Answered(item, (24, i is 1 or 3 ? 37 : 38));
            if (i is 2 or 3)
            {
                // Another intent: the second question differs too.
                var other = item.Controls.Single(c => c.Name == "intent").Labels[1].Key;
                answer = answer with { Answers = [.. answer.Answers.Select(x => x.Control == "intent" ? x with { Label = other } : x)] };
            }

            differences[item.TaskId] = (i is 1 or 3 ? 1 : 0) + (i is 2 or 3 ? 1 : 0);
            await labeling.SubmitAsync(people[1], projectId, item.TaskId, answer, item.Version, 1000, default);
        }

        var service = database.Get<PairDisagreementService>();
        var worst = differences.Single(d => d.Value == 2).Key;
        var tied = differences.Where(d => d.Value == 1).Select(d => d.Key).Order().ToList();

        var page1 = await service.ListAsync(Admin, projectId, people[0].UserId, people[1].UserId, null, 2, 1.0, default);
        var page2 = await service.ListAsync(Admin, projectId, people[0].UserId, people[1].UserId, page1.Next, 2, 1.0, default);

        Assert.Equal((4, 3), (page1.SharedTasks, page1.Disagreed));
        Assert.Equal([worst, tied[0]], page1.Rows.Select(r => r.TaskId));
        Assert.Equal(1.0 / 3, page1.Rows[0].Score, 1e-9);
        Assert.Equal(2, page1.Rows[0].Differences.Count);
        Assert.StartsWith("intent: A0 said ", page1.Rows[0].Differences[1], StringComparison.Ordinal);
        Assert.Equal([tied[1]], page2.Rows.Select(r => r.TaskId));
        Assert.Null(page2.Next);
        Assert.StartsWith("Order ", page1.Rows[0].Excerpt, StringComparison.Ordinal);
        var strict = await service.ListAsync(Admin, projectId, people[0].UserId, people[1].UserId, null, 10, 0.5, default);
        Assert.Equal([worst], strict.Rows.Select(r => r.TaskId));
    }

    [Fact]
    public async Task PairList_FromTheNightlySets_EqualsTheLiveScores_AndSeesWorkChangedOrMadeGoldSince()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 9, overlap: 3, annotators: 3);
        var labeling = database.Get<LabelingService>();
        foreach (var (person, p) in people.Select((person, p) => (person, p)))
        {
            var i = 0;
            while (await labeling.NextAsync(person, projectId, default) is { } item)
            {
                // Spans ending at 37 or 38 by person and task: some pairs agree on a task, some do not.
                await labeling.SubmitAsync(person, projectId, item.TaskId, LabelingServiceTests.Answered(item, (24, (i++ + p) % 3 == 0 ? 37 : 38)), item.Version, 1000, default);
            }
        }

        var service = database.Get<PairDisagreementService>();
        var pairs = new[] { (0, 1), (0, 2), (1, 2) }.Select(x => (A: people[x.Item1].UserId, B: people[x.Item2].UserId)).ToList();
        async Task<List<string>> ListAsync((Guid A, Guid B) pair, bool reversed = false)
        {
            var (a, b) = reversed ? (pair.B, pair.A) : (pair.A, pair.B);
            var rows = new List<string>();
            PairCursor? next = null;
            do
            {
                var page = await service.ListAsync(Admin, projectId, a, b, next, 2, 1.0, default);
                rows.Add($"{page.SharedTasks} shared, {page.Disagreed} disagreed");
                // Differences name the first person first, so a reversed pair only has the same tasks and scores.
                rows.AddRange(page.Rows.Select(r => $"{r.TaskId} {r.Score:F6} {(reversed ? "" : string.Join("; ", r.Differences))}"));
                next = page.Next;
            }
            while (next is not null);
            return rows;
        }

        var scoredNow = new List<List<string>>();
        foreach (var pair in pairs)
        {
            scoredNow.Add(await ListAsync(pair));
        }

        Assert.Contains(scoredNow, rows => rows.Count > 2);
        Assert.Equal(3, await database.Get<AgreementSnapshotJob>().PairScoresAsync(projectId, default));

        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(27, await db.PairScoreSets.Where(s => s.ProjectId == projectId).SumAsync(s => s.SharedTasks));
            Assert.Equal(27, await db.PairTaskScores.CountAsync());
        }

        foreach (var (pair, i) in pairs.Select((pair, i) => (pair, i)))
        {
            Assert.Equal(scoredNow[i], await ListAsync(pair));
            Assert.Equal(scoredNow[i].Select(r => r.Split(' ')[..2]), (await ListAsync(pair, reversed: true)).Select(r => r.Split(' ')[..2]));
        }

        // A pair the night found nothing shared for is not scored over all their work on a click, only over what they
        // changed since (here: nothing).
        var (lower, higher) = PairScoring.Ordered(pairs[2].A, pairs[2].B);
        await using (var db = await database.ContextAsync())
        {
            var setId = await db.PairScoreSets.Where(s => s.UserA == lower && s.UserB == higher).Select(s => s.Id).SingleAsync();
            await db.PairTaskScores.Where(s => s.SetId == setId).ExecuteDeleteAsync();
            await db.PairScoreSets.Where(s => s.Id == setId).ExecuteDeleteAsync();
        }

        Assert.Equal(["0 shared, 0 disagreed"], await ListAsync(pairs[2]));

        // The list reads the stored score of a task nobody changed (a tampered one shows), and scores again a task changed
        // since: the first person answers the tampered task again, now ending at 30.
        var (first, second) = pairs[0];
        var tampered = long.Parse(scoredNow[0][1].Split(' ')[0], CultureInfo.InvariantCulture);
        await using (var db = await database.ContextAsync())
        {
            await db.PairTaskScores.Where(s => s.TaskId == tampered).ExecuteUpdateAsync(u => u.SetProperty(s => s.Score, 0.012345));
        }

        Assert.Contains($"{tampered} 0.012345 ", string.Join("\n", await ListAsync(pairs[0])), StringComparison.Ordinal);
        var reopened = await labeling.OpenAsync(people[0], projectId, tampered, default);
        await labeling.SubmitAsync(people[0], projectId, tampered, LabelingServiceTests.Answered(reopened, (24, 30)), reopened.Version, 1000, default);
        var afterChange = await ListAsync(pairs[0]);
        Assert.DoesNotContain("0.012345", string.Join("\n", afterChange), StringComparison.Ordinal);
        Assert.Contains(afterChange, row => row.StartsWith($"{tampered} 0.", StringComparison.Ordinal));
        Assert.Equal(scoredNow[0][0], afterChange[0]);

        // A task made gold since leaves the list and its counts, as it leaves the nightly figures.
        var shared = int.Parse(afterChange[0].Split(' ')[0], CultureInfo.InvariantCulture);
        await using (var db = await database.ContextAsync())
        {
            await db.Tasks.Where(t => t.Id == tampered).ExecuteUpdateAsync(u => u.SetProperty(t => t.IsGold, true));
        }

        var afterGold = await ListAsync(pairs[0]);
        Assert.Equal($"{shared - 1} shared", afterGold[0].Split(',')[0]);
        Assert.DoesNotContain(afterGold, row => row.StartsWith($"{tampered} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PairList_RefusesAnnotators_TheSamePersonTwice_AndBadPages()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 2, annotators: 2);
        var service = database.Get<PairDisagreementService>();
        var (a, b) = (people[0].UserId, people[1].UserId);

        await Assert.ThrowsAsync<ForbiddenException>(() => service.ListAsync(people[0], projectId, a, b, null, 10, 1, default));
        Assert.Equal("UserB", (await Assert.ThrowsAsync<ValidationException>(() => service.ListAsync(Admin, projectId, a, a, null, 10, 1, default))).Errors[0].Field);
        Assert.Equal("Take", (await Assert.ThrowsAsync<ValidationException>(() => service.ListAsync(Admin, projectId, a, b, null, 0, 1, default))).Errors[0].Field);
        Assert.Equal("Threshold", (await Assert.ThrowsAsync<ValidationException>(() => service.ListAsync(Admin, projectId, a, b, null, 10, 0, default))).Errors[0].Field);
        var empty = await service.ListAsync(Admin, projectId, a, b, null, 10, 1, default);
        Assert.Equal((0, 0, null), (empty.SharedTasks, empty.Rows.Count, empty.Next));
    }

    [Fact]
    public async Task LabelMix_CountsSubmittedAnswersPerPerson_AndForTheProject()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 2, overlap: 2, annotators: 2);
        var labeling = database.Get<LabelingService>();
        foreach (var person in people)
        {
            for (var i = 0; i < 2; i++)
            {
                var item = (await labeling.NextAsync(person, projectId, default))!;
                await labeling.SubmitAsync(person, projectId, item.TaskId, LabelingServiceTests.Answered(item), item.Version, 1000, default);
            }
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var board = await database.Get<QualityDashboardService>().LoadAsync(Admin, projectId, new DashboardFilter(today.AddDays(-1), today), "intent", default);

        var mix = board.Mix!;
        Assert.Equal("intent", mix.Control);
        Assert.Equal(["Whole project", "A0", "A1"], mix.Rows.Select(r => r.Name));
        Assert.Equal([4, 2, 2], mix.Rows.Select(r => r.Total));
        Assert.Equal(4, mix.Rows[0].Counts[Assert.Single(mix.Labels)]);
        Assert.Equal("Control", (await Assert.ThrowsAsync<ValidationException>(() =>
            database.Get<QualityDashboardService>().LoadAsync(Admin, projectId, new DashboardFilter(), "no such question", default))).Errors[0].Field);
    }

    [Fact]
    public async Task LabelMix_FromTheNightlyCounts_EqualsADirectCount_AndCountsLiveTheDaysNoNightCovers()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 6, overlap: 2, annotators: 3);
        var labeling = database.Get<LabelingService>();
        foreach (var person in people)
        {
            while (await labeling.NextAsync(person, projectId, default) is { } item)
            {
                await labeling.SubmitAsync(person, projectId, item.TaskId, LabelingServiceTests.Answered(item, (0, 3)), item.Version, 1000, default);
            }
        }

        // The work spread over four days: three days ago (its night never ran), two days ago and yesterday (counted by
        // their nights), and today (not over yet).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero));
        var today = new DateOnly(2026, 11, 23);
        await using (var db = await database.ContextAsync())
        {
            var ids = await db.Annotations.Where(a => a.ProjectId == projectId).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync();
            Assert.True(ids.Count >= 8);
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            {
                var at = today.AddDays(-(i % 4)).ToDateTime(new TimeOnly(9, i), DateTimeKind.Utc);
                await db.Annotations.Where(a => a.Id == id).ExecuteUpdateAsync(u => u.SetProperty(a => a.SubmittedAt, at));
            }
        }

        var job = new AgreementSnapshotJob(database.Factory, database.Get<LabelSetCache>(), clock, NullLogger<AgreementSnapshotJob>.Instance);
        await job.SnapshotAsync(projectId, today.AddDays(-1), default);
        await job.SnapshotAsync(projectId, today, default);
        var service = database.Get<QualityDashboardService>();

        foreach (var control in new[] { "intent", "entities" })
        {
            var mix = (await service.LoadAsync(Admin, projectId, new DashboardFilter(today.AddDays(-3), today), control, default)).Mix!;

            await using var db = await database.ContextAsync();
            var start = today.AddDays(-3).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var work = db.Annotations.Where(a => a.ProjectId == projectId && a.SubmittedAt >= start);
            var direct = (await (from a in work join x in db.AnnotationAnswers on a.Id equals x.AnnotationId where x.ControlName == control select new { a.UserId, x.LabelKey }).ToListAsync())
                .Concat(await (from a in work join s in db.AnnotationSpans on a.Id equals s.AnnotationId where s.ControlName == control select new { a.UserId, s.LabelKey }).ToListAsync())
                .ToList();
            var names = await db.Labels.Where(l => direct.Select(d => d.LabelKey).Contains(l.Key)).ToDictionaryAsync(l => l.Key, l => l.Name);
            Assert.Equal(direct.Count, mix.Rows[0].Total);
            Assert.Equal(direct.GroupBy(d => names[d.LabelKey]).ToDictionary(g => g.Key, g => g.Count()), mix.Rows[0].Counts);
            Assert.Equal(direct.GroupBy(d => d.UserId).OrderBy(g => g.Key).Select(g => g.Count()), mix.Rows.Skip(1).OrderBy(r => r.UserId).Select(r => r.Total));
        }

        await using var check = await database.ContextAsync();
        // Two nights stored counts (one day each, with the row saying the day is counted); today's night is not over.
        Assert.Equal([today.AddDays(-1), today], await check.AgreementSnapshots.Where(s => s.Measure == LabelCounts.Measure && s.Key == LabelCounts.DayKey).Select(s => s.Day).OrderBy(d => d).ToListAsync());
        Assert.Contains(await check.AgreementSnapshots.Where(s => s.Measure == LabelCounts.Measure).Select(s => s.Key).ToListAsync(), k => k.StartsWith(LabelCounts.Prefix("intent"), StringComparison.Ordinal));
        Assert.Empty(await LabelCounts.ForNightAsync(check, projectId, today.AddDays(1), clock.GetUtcNow().UtcDateTime, default));
    }

    [Fact]
    public void LabelCountKey_ReadsBackItsCount_AlsoWhenTheQuestionsNameHasABar()
    {
        var count = new LabelCount("tone | formal", Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 7);

        Assert.Equal(count, LabelCounts.Parse(LabelCounts.Key(count), 7));
        Assert.StartsWith(LabelCounts.Prefix("tone | formal"), LabelCounts.Key(count), StringComparison.Ordinal);
        Assert.Null(LabelCounts.Parse("control:intent|label:x|user:y|version:z", 1));
        Assert.Null(LabelCounts.Parse(LabelCounts.DayKey, 1));
    }

    [Fact]
    public void Sufficiency_SaysHowManyItemsAFigureRestsOn_InsteadOfTooSmallANumber()
    {
        Assert.Equal("not enough data (5 items; needs 20)", Sufficiency.Figure(0.9, 5, Sufficiency.TrendMinimum));
        Assert.Equal("0.90", Sufficiency.Figure(0.9, 20, Sufficiency.TrendMinimum));
        Assert.Equal("–", Sufficiency.Figure(null, 20, Sufficiency.TrendMinimum));
    }

    [Fact]
    public void SnapshotKey_ReadsTheJobsKeys()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Equal(new SnapshotKey("intent", null, null, null), SnapshotKey.Parse("control:intent"));
        Assert.Equal(new SnapshotKey("entities", "k", null, null), SnapshotKey.Parse("control:entities|label:k"));
        Assert.Equal(new SnapshotKey("intent", null, a, b), SnapshotKey.Parse($"control:intent|pair:{a}|{b}"));
        Assert.Null(SnapshotKey.Parse("something else"));
    }
}
