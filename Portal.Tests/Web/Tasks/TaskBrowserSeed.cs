using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Tasks;

/// <summary>Six tasks that each answer one filter of the task browser, made directly in the database.</summary>
internal sealed record TaskBrowserSeeded(IReadOnlyList<long> Ids, Guid LabelKey, Guid ImportJobId)
{
    public long this[int index] => Ids[index];
}

internal static class TaskBrowserSeed
{
    /// <summary>
    /// 0: done, ground truth, labeled by annotator 0 and waiting for review. 1: gold with ground truth. 2: agreement 0.3,
    /// labeled by annotator 0 with the label. 3: from an import, metadata channel=email. 4: deleted. 5: plain.
    /// </summary>
    public static async Task<TaskBrowserSeeded> DiverseAsync(TestDatabase database, Guid projectId, IReadOnlyList<PortalPrincipal> people)
    {
        await using var db = await database.ContextAsync();
        var tasks = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).ToListAsync();
        var version = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId!.Value).SingleAsync();
        var label = await db.Labels.Where(l => l.TaxonomyVersionId == version).OrderBy(l => l.SortOrder).Select(l => l.Key).FirstAsync();
        var now = DateTime.UtcNow;
        var job = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Import, Format = "jsonl", State = RunState.Succeeded, IdempotencyKey = Guid.NewGuid().ToString(),
            SourceName = "batch.jsonl", CreatedAt = now,
        };
        db.DataJobs.Add(job);
        (tasks[0].State, tasks[0].Agreement) = (TaskState.Done, 0.9);
        (tasks[1].IsGold, tasks[1].Agreement) = (true, 0.7);
        tasks[2].Agreement = 0.3;
        (tasks[3].MetadataJson, tasks[3].ImportJobId) = ("{\"channel\":\"email\"}", job.Id);
        (tasks[4].DeletedAt, tasks[4].IsAvailable) = (now, false);
        tasks[5].Agreement = 0.8;
        foreach (var t in tasks.Take(2))
        {
            db.GroundTruths.Add(new GroundTruth { TaskId = t.Id, ProjectId = projectId, TaxonomyVersionId = version, ResultJson = "{}", DecidedAt = now });
        }

        db.Annotations.Add(Submitted(tasks[0], people[0], version, now, reviewRequested: true));
        var labeled = Submitted(tasks[2], people[0], version, now, reviewRequested: false);
        labeled.Spans.Add(new AnnotationSpan { ControlName = "entities", LabelKey = label, Start = 0, End = 5 });
        db.Annotations.Add(labeled);
        await db.SaveChangesAsync();
        return new TaskBrowserSeeded([.. tasks.Select(t => t.Id)], label, job.Id);
    }

    /// <summary>A new user with this role in the project.</summary>
    public static async Task<PortalPrincipal> MemberAsync(TestDatabase database, Guid projectId, ProjectRole role)
    {
        await using var db = await database.ContextAsync();
        var user = new User { Id = Guid.CreateVersion7(), ExternalId = Guid.NewGuid().ToString("N"), Email = "r@x", DisplayName = $"{role} person", CreatedAt = DateTime.UtcNow };
        db.Users.Add(user);
        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = user.Id, Role = role, AddedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { AppRoles.User });
    }

    private static Annotation Submitted(LabelingTask task, PortalPrincipal person, Guid version, DateTime now, bool reviewRequested) => new()
    {
        ProjectId = task.ProjectId, TaskId = task.Id, UserId = person.UserId, TaxonomyVersionId = version, Status = AnnotationStatus.Submitted,
        ReviewRequested = reviewRequested, CreatedAt = now, UpdatedAt = now, SubmittedAt = now,
    };
}
