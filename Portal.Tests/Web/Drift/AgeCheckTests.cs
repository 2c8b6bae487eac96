using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Web.Drift;

namespace Portal.Tests.Web.Drift;

/// <summary>Check 5 on SQLite: ground truth and accepted work older than the relabel age, oldest first.</summary>
public class AgeCheckTests
{
    /// <summary>
    /// Three labeled tasks and one unlabeled: the first and second annotations accepted, the third submitted; ground truth on
    /// the first, third and fourth (unlabeled) tasks, decided one, two and three days after the labeling.
    /// </summary>
    private static async Task<(LabeledProject Project, List<Annotation> Annotations, long Unlabeled)> AgedAsync()
    {
        var project = await LabeledProject.CreateAsync(annotators: 3, tasks: 4);
        await using var db = await project.Database.ContextAsync();
        var annotations = await db.Annotations.Where(a => a.ProjectId == project.ProjectId).OrderBy(a => a.TaskId).ToListAsync();
        annotations[0].Status = AnnotationStatus.Accepted;
        annotations[1].Status = AnnotationStatus.Accepted;
        var unlabeled = await db.Tasks.Where(t => t.ProjectId == project.ProjectId).Select(t => t.Id).Except(annotations.Select(a => a.TaskId)).SingleAsync();
        foreach (var (taskId, day) in new[] { (annotations[0].TaskId, 1), (annotations[2].TaskId, 2), (unlabeled, 3) })
        {
            db.GroundTruths.Add(new GroundTruth
            {
                TaskId = taskId, ProjectId = project.ProjectId, TaxonomyVersionId = annotations[0].TaxonomyVersionId,
                ResultJson = new AnnotationResult([], []).ToJson(), DecidedAt = LabeledProject.Start.AddDays(day),
            });
        }

        await db.SaveChangesAsync();
        return (project, annotations, unlabeled);
    }

    [Fact]
    public async Task OldGroundTruthAndAcceptedWork_AreListedOldestFirst_WithTheAnnotatorWhoRelabels()
    {
        var (project, annotations, unlabeled) = await AgedAsync();
        await using var _ = project;
        var night = project.Night(LabeledProject.Start.AddDays(100), relabelAgeDays: 30);
        var check = project.Check<AgeCheck>();

        var findings = await check.RunAsync(night, default);

        var finding = Assert.Single(findings);
        Assert.Equal((DriftLimits.Project, DriftSeverity.High, 4), (finding.Subject, finding.Severity, finding.AffectedCount));
        // The accepted second annotation (labeled first), then the ground truths; the first annotation only once, for its ground truth.
        Assert.Equal(
        [
            (annotations[1].TaskId, (long?)annotations[1].Id, (Guid?)annotations[1].UserId),
            (annotations[0].TaskId, annotations[0].Id, annotations[0].UserId),
            (annotations[2].TaskId, annotations[2].Id, annotations[2].UserId),
            (unlabeled, null, null),
        ], finding.Items.Select(i => (i.TaskId, i.AnnotationId, i.UserId)));
        Assert.Equal("accepted work labeled 5 Jan 2026, 100 days ago", finding.Items[0].Detail);
        Assert.Equal("ground truth decided 6 Jan 2026, 99 days ago", finding.Items[1].Detail);
        var evidence = Assert.IsType<AgeEvidence>(finding.Evidence);
        Assert.Equal((30, 3, 1, LabeledProject.Start, 98.5), (evidence.RelabelAgeDays, evidence.GroundTruthItems, evidence.AcceptedItems, evidence.Oldest, evidence.MedianAgeDays));
        Assert.Equal("4 items are older than the relabel age of 30 days: 3 ground truths and 1 accepted annotation; the oldest is from 5 Jan 2026 (100 days).", finding.Summary);
        Assert.Equal(LabeledProject.Stored(findings), LabeledProject.Stored(await check.RunAsync(night, default)));
    }

    [Fact]
    public async Task WorkRelabeledWithinTheAge_IsNotOld_AndWithoutARelabelAgeTheCheckIsOff()
    {
        var (project, annotations, _) = await AgedAsync();
        await using var __ = project;
        await using (var db = await project.Database.ContextAsync())
        {
            foreach (var annotation in annotations.Take(2))
            {
                db.AnnotationRevisions.Add(new AnnotationRevision
                {
                    AnnotationId = annotation.Id, Number = 10, ChangedAt = LabeledProject.Start.AddDays(90), Reason = RevisionReason.Relabel,
                    Status = AnnotationStatus.Accepted, TaxonomyVersionId = annotation.TaxonomyVersionId, ResultJson = new AnnotationResult([], []).ToJson(),
                });
            }

            await db.SaveChangesAsync();
        }

        var check = project.Check<AgeCheck>();
        var finding = Assert.Single(await check.RunAsync(project.Night(LabeledProject.Start.AddDays(100), relabelAgeDays: 30), default));

        Assert.Equal([annotations[2].TaskId], finding.Items.Where(i => i.AnnotationId is not null).Select(i => i.TaskId));
        Assert.Equal((2, DriftSeverity.High), (finding.AffectedCount, finding.Severity));
        Assert.Empty(await check.RunAsync(project.Night(LabeledProject.Start.AddDays(100)), default));
        Assert.Empty(await check.RunAsync(project.Night(LabeledProject.Start.AddDays(100), relabelAgeDays: 365), default));
    }
}
