using Portal.Core.Drift;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Drift;

namespace Portal.Tests.Web.Drift;

public class LabelDistributionShiftCheckTests
{
    private static readonly DateTime Now = DriftProject.Now;

    /// <summary>
    /// A0 answered intent half "first", half "second" for four weeks, then only "third" this week; A1 kept the same even
    /// mix throughout. 40 baseline and 30 window annotations each.
    /// </summary>
    private static async Task<DriftProject> ShiftedAsync(TestDatabase database)
    {
        var project = await DriftProject.CreateAsync(database, tasks: 110, annotators: 2);
        var intent = project.Labels["intent"];
        foreach (var (person, drifts) in new[] { (project.People[0], true), (project.People[1], false) })
        {
            var work = project.Tasks.Take(40).Select((t, i) => (t, Now.AddDays(-8 - i % 27).AddHours(-i % 5), "intent", intent[i % 2]))
                .Concat(project.Tasks.Skip(40).Take(30).Select((t, i) => (t, Now.AddDays(-1 - i % 6).AddHours(-i % 7), "intent", drifts ? intent[2] : intent[i % 2])));
            await project.AddWorkAsync(database, person.UserId, work);
        }

        return project;
    }

    [Fact]
    public async Task DriftingAnnotator_AndTheProject_AreFindings_TheSteadyAnnotatorIsNot()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await ShiftedAsync(database);
        var check = DriftProject.Check<LabelDistributionShiftCheck>(database);

        var drafts = await check.RunAsync(project.Context(), default);

        Assert.Equal([DriftLimits.Project, DriftLimits.Annotator(project.People[0].UserId)], drafts.Select(d => d.Subject));
        var person = drafts[1];
        var evidence = Assert.IsType<DistributionEvidence>(person.Evidence);
        Assert.Equal((40, 30), (evidence.BaselineItems, evidence.WindowItems));
        Assert.Equal((Now.AddDays(-35), Now.AddDays(-7), Now), (evidence.BaselineStart, evidence.WindowStart, evidence.WindowEnd));
        var third = evidence.Labels.Single(b => b.LabelKey == project.Labels["intent"][2]);
        Assert.Equal((0, 30, 0.0, 1.0), (third.Baseline, third.Window, third.BaselineShare, third.WindowShare));
        Assert.Equal(2, evidence.DegreesOfFreedom);
        Assert.True(evidence.PValue < 1e-10);
        // No label in common: the distance is the maximum.
        Assert.Equal(1, evidence.JsDistance, 1e-12);
        Assert.Equal(DriftSeverity.High, person.Severity);
        Assert.Equal(30, person.AffectedCount);
        Assert.Equal(30, person.Items.Count);
        Assert.All(person.Items, i => Assert.Equal(project.People[0].UserId, i.UserId));
        Assert.Equal(person.Items.OrderByDescending(i => i.Since).Select(i => i.Since), person.Items.Select(i => i.Since));
        Assert.StartsWith("A0's label mix moved: Jensen-Shannon distance 1.00, p < 0.001, over 30 items in the last 7 days", person.Summary, StringComparison.Ordinal);
        Assert.Contains("from 0% to 100% of labels", person.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectFinding_ListsTheGainedLabelsWorkFirst()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await ShiftedAsync(database);

        var drafts = await DriftProject.Check<LabelDistributionShiftCheck>(database).RunAsync(project.Context(), default);

        var whole = drafts.Single(d => d.Subject == DriftLimits.Project);
        Assert.Equal(60, whole.AffectedCount);
        Assert.All(whole.Items.Take(30), i => Assert.Equal(project.People[0].UserId, i.UserId));
        Assert.All(whole.Items.Skip(30), i => Assert.Equal(project.People[1].UserId, i.UserId));
        Assert.True(whole.Statistic < 1);
    }

    [Fact]
    public async Task Rerun_GivesTheSameDrafts_AndIgnoresWorkAfterTheNight()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await ShiftedAsync(database);
        var check = DriftProject.Check<LabelDistributionShiftCheck>(database);
        var first = DriftProject.Json(await check.RunAsync(project.Context(), default));
        await project.AddWorkAsync(database, project.People[1].UserId, project.Tasks.Skip(70).Select(t => (t, Now.AddHours(3), "intent", project.Labels["intent"][3])));

        var second = DriftProject.Json(await check.RunAsync(project.Context(), default));

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task TooFewItems_GiveNoFinding()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await ShiftedAsync(database);

        var drafts = await DriftProject.Check<LabelDistributionShiftCheck>(database).RunAsync(
            project.Context(new DriftSettings { ProjectId = project.ProjectId, ShiftMinItems = 31 }), default);

        // 30 window items per annotator (60 for the project, but its baseline is 80): only the project stays.
        Assert.Equal([DriftLimits.Project], drafts.Select(d => d.Subject));
        Assert.Empty(await DriftProject.Check<LabelDistributionShiftCheck>(database).RunAsync(
            project.Context(new DriftSettings { ProjectId = project.ProjectId, ShiftMinItems = 61 }), default));
    }

    [Fact]
    public async Task AnonymousProject_NamesTheAnnotatorByLetter()
    {
        await using var database = await TestDatabase.CreateAsync();
        var project = await ShiftedAsync(database);
        await using (var db = await database.ContextAsync())
        {
            var stored = await db.Projects.FindAsync(project.ProjectId);
            stored!.AnonymousAdjudication = true;
            await db.SaveChangesAsync();
        }

        var drafts = await DriftProject.Check<LabelDistributionShiftCheck>(database).RunAsync(project.Context(), default);

        Assert.Matches("^Annotator [A-C]'s label mix moved", drafts[1].Summary);
        Assert.DoesNotContain("A0", drafts[1].Summary, StringComparison.Ordinal);
    }
}
