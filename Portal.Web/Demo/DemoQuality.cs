using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Review;

namespace Portal.Web.Demo;

/// <summary>
/// Walks the demo's labeled tasks through the quality workflow with the real services, so every path shows:
/// consensus on agreeing tasks; one more annotator on disagreeing ones (Chloe has done some of them, the rest wait in
/// her queue); adjudication; a review queue; an accepted review; one rejected annotation back in Chloe's queue; one
/// adjudicated task with its provenance.
/// </summary>
internal sealed class DemoQuality(IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets, ConsensusService consensus, ProjectAccess access, TimeProvider clock)
{
    public async Task RunAsync(Guid projectId, IReadOnlyDictionary<string, User> users, Func<LabelingTask, AnnotationResult> careful, CancellationToken ct)
    {
        List<long> labeled;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            labeled = await db.Tasks.Where(t => t.ProjectId == projectId && t.SubmittedCount > 0).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
        }

        foreach (var id in labeled)
        {
            await consensus.EvaluateAsync(id, ct);
        }

        // Chloe, the extra annotator, has done every other task that asked for her.
        var chloe = users["annotator3"];
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var waiting = await db.Tasks.Where(t => t.ProjectId == projectId && t.State == TaskState.Open && t.SubmittedCount > 0 && t.IsAvailable)
                .OrderBy(t => t.Id).ToListAsync(ct);
            var version = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
            var done = waiting.Where((_, i) => i % 2 == 0).ToList();
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var task in done)
            {
                var annotation = new Annotation
                {
                    ProjectId = projectId, TaskId = task.Id, UserId = chloe.Id, TaxonomyVersionId = version, Status = AnnotationStatus.Draft,
                    CreatedAt = now.AddMinutes(-30), UpdatedAt = now.AddMinutes(-20), Version = 1,
                };
                db.Annotations.Add(annotation);
                annotation.Status = AnnotationStatus.Submitted;
                annotation.SubmittedAt = annotation.UpdatedAt;
                annotation.LeadTimeMs = 45_000;
                AnnotationStore.Record(db, annotation, chloe.Id, annotation.UpdatedAt, careful(task), RevisionReason.Submit);
                task.AssignedCount++;
                task.SubmittedCount++;
                task.IsAvailable = task.AssignedCount < task.TargetAnnotations;
            }

            await AnnotationStore.SaveAsync(db, ct);
            foreach (var task in done)
            {
                await consensus.EvaluateAsync(task.Id, ct);
            }
        }

        var reviewer = Principal(users["reviewer"]);
        var review = new ReviewService(factory, access, labelSets, consensus, clock);
        if (await review.NextAsync(reviewer, projectId, QueueOrder.OldestFirst, [], ct) is { } first)
        {
            await review.DecideAsync(reviewer, projectId, first.AnnotationId, first.Version, ReviewDecision.Accept, null, null, ct);
        }

        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var chloes = await db.Annotations.Where(a => a.ProjectId == projectId && a.UserId == chloe.Id && a.Status == AnnotationStatus.Submitted)
                .OrderBy(a => a.Id).Select(a => new { a.Id, a.Version }).FirstOrDefaultAsync(ct);
            if (chloes is not null)
            {
                await review.DecideAsync(reviewer, projectId, chloes.Id, chloes.Version, ReviewDecision.Reject, null,
                    "Some names are not marked: the guidelines ask for every named person, company and place, with the whole name.", ct);
            }
        }

        var adjudication = new AdjudicationService(factory, access, labelSets, clock);
        if (await adjudication.NextAsync(reviewer, projectId, QueueOrder.OldestFirst, [], ct) is { } task0)
        {
            await adjudication.ResolveAsync(reviewer, projectId, task0.TaskId, task0.TaskVersion, task0.Annotators[0].Result, AuditErrorType.Boundary,
                "Ana's boundaries follow the guidelines: titles and model names belong to the entity.", ct);
        }
    }

    private static PortalPrincipal Principal(User user) => new(user.Id, user.DisplayName, new HashSet<string> { AppRoles.User });
}
