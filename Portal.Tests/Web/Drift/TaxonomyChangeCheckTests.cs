using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Web.Drift;
using Portal.Web.Taxonomy;
using static Portal.Tests.Web.Taxonomy.LabelDefinitionServiceTests;

namespace Portal.Tests.Web.Drift;

/// <summary>Check 1 on SQLite: work labeled under a label's old meaning waits until it is relabeled or confirmed.</summary>
public class TaxonomyChangeCheckTests
{
    [Fact]
    public async Task DefinitionEdit_ListsTheWorkLabeledBeforeIt_AndARerunOfTheNightFindsTheSame()
    {
        await using var project = await LabeledProject.CreateAsync();
        project.Clock.Advance(TimeSpan.FromDays(10));
        await EditDefinitionAsync(project.Database, project.ProjectId, "Person", "A named human being.");
        var person = await KeyAsync(project.Database, project.ProjectId, "Person");
        var night = project.Night(LabeledProject.Start.AddDays(30));
        var check = project.Check<TaxonomyChangeCheck>();

        var findings = await check.RunAsync(night, default);

        var finding = Assert.Single(findings);
        Assert.Equal(DriftLimits.LabelSubject(person), finding.Subject);
        Assert.Equal(DriftSeverity.Medium, finding.Severity);
        Assert.Equal(3, finding.AffectedCount);
        Assert.Equal(
            "3 annotations labeled \"Person\" before its definition was edited in v2 (15 Jan 2026 by Mia Manager) wait for relabeling or confirmation; the oldest has waited 20 days.",
            finding.Summary);
        var evidence = Assert.IsType<TaxonomyChangeEvidence>(finding.Evidence);
        Assert.Equal(("definition edited", 1, 2, 3, 20.0, 20.0), (evidence.Change, evidence.FromVersion, evidence.ToVersion, evidence.Waiting, evidence.OldestWaitDays, evidence.MedianWaitDays));
        Assert.Equal(["- Definition: A named individual: customer, employee, courier.", "+ Definition: A named human being."], evidence.Diff);
        Assert.Equal(project.Items.Select(i => i.TaskId).Order(), finding.Items.Select(i => i.TaskId).Order());
        Assert.All(finding.Items, i => Assert.Equal("labeled \"Person\" under v1; its definition was edited in v2", i.Detail));
        Assert.Equal(LabeledProject.Stored(findings), LabeledProject.Stored(await check.RunAsync(night, default)));
        // The night before the edit sees nothing.
        Assert.Empty(await check.RunAsync(project.Night(LabeledProject.Start.AddDays(5)), default));
    }

    [Fact]
    public async Task ConfirmedWork_DropsOut_AndWorkWithoutAStampFallsBackToItsFirstSubmission()
    {
        await using var project = await LabeledProject.CreateAsync();
        project.Clock.Advance(TimeSpan.FromDays(1));
        await EditDefinitionAsync(project.Database, project.ProjectId, "Person", "A named human being.");
        long confirmed;
        await using (var db = await project.Database.ContextAsync())
        {
            var current = await db.Taxonomies.Where(t => t.ProjectId == project.ProjectId).Select(t => t.CurrentVersionId).SingleAsync();
            var annotations = await db.Annotations.Where(a => a.ProjectId == project.ProjectId).OrderBy(a => a.Id).ToListAsync();
            annotations[0].LabeledUnderVersionId = current;
            confirmed = annotations[0].TaskId;
            annotations[1].LabeledUnderVersionId = null;
            await db.SaveChangesAsync();
        }

        var finding = Assert.Single(await project.Check<TaxonomyChangeCheck>().RunAsync(project.Night(LabeledProject.Start.AddDays(3)), default));

        Assert.Equal(2, finding.AffectedCount);
        Assert.Equal(DriftSeverity.Low, finding.Severity);
        Assert.DoesNotContain(confirmed, finding.Items.Select(i => i.TaskId));
    }

    [Fact]
    public async Task Split_CountsTheWorkItSentBack_WhileItsRelabelTaskWaits()
    {
        await using var project = await LabeledProject.CreateAsync();
        project.Clock.Advance(TimeSpan.FromDays(2));
        var taxonomy = project.Database.Get<TaxonomyService>();
        var state = await taxonomy.LoadAsync(Manager, project.ProjectId, default);
        var intent = state.Draft.Model.Controls.Single(c => c.Name == "intent").Labels[0];
        var version = await taxonomy.SaveDraftAsync(Manager, project.ProjectId, state.Draft.Split(intent.Key, ["Part one", "Part two"]), state.ConcurrencyVersion, default);
        await taxonomy.PublishAsync(Manager, project.ProjectId, version, null, default);
        var check = project.Check<TaxonomyChangeCheck>();
        var night = project.Night(LabeledProject.Start.AddDays(4));

        var finding = Assert.Single(await check.RunAsync(night, default));
        Assert.Equal((DriftLimits.LabelSubject(intent.Key), DriftSeverity.Medium, 3), (finding.Subject, finding.Severity, finding.AffectedCount));
        var evidence = Assert.IsType<TaxonomyChangeEvidence>(finding.Evidence);
        Assert.Equal(("split", 2, 2.0), (evidence.Change, evidence.ToVersion, evidence.OldestWaitDays));
        Assert.Empty(evidence.Diff);
        Assert.All(finding.Items, i => Assert.Equal($"labeled \"{intent.Name}\" under v1; the label was split in v2", i.Detail));

        await using (var db = await project.Database.ContextAsync())
        {
            var first = await db.RelabelItems.Where(r => r.ProjectId == project.ProjectId).OrderBy(r => r.Id).FirstAsync();
            first.ResolvedAt = LabeledProject.Start.AddDays(3);
            await db.SaveChangesAsync();
        }

        Assert.Equal(2, Assert.Single(await check.RunAsync(night, default)).AffectedCount);
    }

    [Fact]
    public async Task SwitchedOff_FindsNothing()
    {
        await using var project = await LabeledProject.CreateAsync(annotators: 1, tasks: 1);
        project.Clock.Advance(TimeSpan.FromDays(1));
        await EditDefinitionAsync(project.Database, project.ProjectId, "Person", "A named human being.");
        var night = project.Night(LabeledProject.Start.AddDays(3));

        Assert.Single(await project.Check<TaxonomyChangeCheck>().RunAsync(night, default));
        Assert.Empty(await project.Check<TaxonomyChangeCheck>().RunAsync(night with { Settings = new() { ProjectId = project.ProjectId, TaxonomyCheck = false } }, default));
    }
}
