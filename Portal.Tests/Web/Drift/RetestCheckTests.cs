using System.Text.Json;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Drift;

namespace Portal.Tests.Web.Drift;

/// <summary>Check 6 over retests stored on SQLite: who disagrees with their former self, with the evidence, the same on a rerun.</summary>
public class RetestCheckTests
{
    private static readonly DateTime Night = new(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly Guid Person = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid Positive = Guid.Parse("00000000-0000-0000-0000-0000000000b1");
    private static readonly Guid Negative = Guid.Parse("00000000-0000-0000-0000-0000000000b2");

    private static string Json(Guid sentiment, int spanEnd) =>
        new AnnotationResult([new SpanValue("entities", Person, 0, spanEnd)], [new AnswerValue("sentiment", sentiment)]).ToJson();

    /// <summary>Annotator 0 changes every other retest (span and answer); annotator 1 answers the same every time; one retest comes after the night.</summary>
    private static async Task<Guid> SeedAsync(TestDatabase database, int pairs)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: pairs, overlap: 2, annotators: 2);
        await using var db = await database.ContextAsync();
        var tasks = db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToList();
        var versionId = db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).Single()!.Value;
        foreach (var (person, index) in people.Select((p, i) => (p, i)))
        {
            for (var t = 0; t < tasks.Count; t++)
            {
                var changed = index == 0 && t % 2 == 0;
                var annotation = new Annotation { ProjectId = projectId, TaskId = tasks[t], UserId = person.UserId, TaxonomyVersionId = versionId, Status = AnnotationStatus.Accepted, Version = 1 };
                db.Annotations.Add(annotation);
                await db.SaveChangesAsync();
                db.Retests.Add(new Retest
                {
                    ProjectId = projectId, TaskId = tasks[t], UserId = person.UserId, OriginalAnnotationId = annotation.Id,
                    OriginalResultJson = Json(t % 3 == 0 ? Positive : Negative, 5), OriginalSubmittedAt = Night.AddDays(-30 + t),
                    ServedAt = Night.AddDays(-10 + t), ExpiresAt = Night.AddDays(-10 + t).AddHours(1), Version = 1,
                    ResultJson = changed ? Json(t % 3 == 0 ? Negative : Positive, 6) : Json(t % 3 == 0 ? Positive : Negative, 5),
                    // The last retest of each annotator is answered after the night: the check must not see it.
                    SubmittedAt = t == tasks.Count - 1 ? Night.AddHours(1) : Night.AddDays(-10 + t).AddMinutes(5),
                });
            }
        }

        await db.SaveChangesAsync();
        return projectId;
    }

    private static DriftCheckContext Context(Guid projectId, DriftSettings? settings = null) =>
        new(projectId, "2026-06-30", Night, settings ?? new DriftSettings { ProjectId = projectId }, null);

    [Fact]
    public async Task Run_FlagsTheAnnotatorWhoDisagreesWithThemself_AndNotTheSteadyOne()
    {
        await using var database = await TestDatabase.CreateAsync();
        var projectId = await SeedAsync(database, pairs: 7);
        var check = database.Get<IEnumerable<IDriftCheck>>().OfType<RetestCheck>().Single();

        var findings = await check.RunAsync(Context(projectId), default);

        Assert.Equal(DriftKind.IntraAnnotatorConsistency, check.Kind);
        var finding = Assert.Single(findings);
        await using var db = await database.ContextAsync();
        var changer = db.Users.Where(u => u.DisplayName == "A0").Select(u => u.Id).Single();
        Assert.Equal(DriftLimits.Annotator(changer), finding.Subject);
        var evidence = Assert.IsType<RetestEvidence>(finding.Evidence);
        // Six retests before the night, three changed (tasks 0, 2, 4): span F1 = 3 of 6 kept = 0.5; the answers agree on
        // 3 of 6 with the table [[1,1],[2,2]], so p_o = p_e = 0.5 and kappa = 0; the agreement is (0.5 + 0) / 2.
        Assert.Equal(6, evidence.Pairs);
        Assert.Equal(3, evidence.Changed);
        Assert.Equal(0.5, evidence.SpanF1!.Value, 1e-12);
        Assert.Equal(evidence.Agreement, finding.Statistic);
        Assert.Equal(0.0, evidence.Kappa!.Value, 1e-12);
        Assert.Equal(0.25, evidence.Agreement, 1e-12);
        Assert.Equal(3, finding.AffectedCount);
        Assert.Equal(3, finding.Items.Count);
        Assert.All(finding.Items, i => Assert.Equal(changer, i.UserId));
        Assert.Equal(finding.Items.OrderBy(i => i.TaskId).Select(i => i.TaskId), finding.Items.Select(i => i.TaskId));
        Assert.Contains("A0", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("6 blind retests", finding.Summary, StringComparison.Ordinal);
        Assert.Equal(DriftSeverity.High, finding.Severity);
        Assert.Equal(6, evidence.Recent.Count);
        Assert.True(evidence.Recent[0].RetestAt > evidence.Recent[^1].RetestAt);
    }

    [Fact]
    public async Task Run_Again_GivesTheSameFindings()
    {
        await using var database = await TestDatabase.CreateAsync();
        var projectId = await SeedAsync(database, pairs: 7);
        var check = database.Get<IEnumerable<IDriftCheck>>().OfType<RetestCheck>().Single();

        var first = JsonSerializer.Serialize(await check.RunAsync(Context(projectId), default));
        var second = JsonSerializer.Serialize(await check.RunAsync(Context(projectId), default));

        Assert.Equal(first, second);
        Assert.Contains("blind retests", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TooFewPairs_OrSwitchedOff_FindsNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var projectId = await SeedAsync(database, pairs: 7);
        var check = database.Get<IEnumerable<IDriftCheck>>().OfType<RetestCheck>().Single();

        Assert.Empty(await check.RunAsync(Context(projectId, new DriftSettings { ProjectId = projectId, RetestMinPairs = 7 }), default));
        Assert.Empty(await check.RunAsync(Context(projectId, new DriftSettings { ProjectId = projectId, RetestCheck = false }), default));
        Assert.Single(await check.RunAsync(Context(projectId, new DriftSettings { ProjectId = projectId, RetestMinPairs = 6 }), default));
    }
}
