using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;

namespace Portal.Tests.Web.Audits;

/// <summary>A project with submitted work written straight to the database, so a test controls who, what label, which source and when.</summary>
internal sealed class AuditTestData
{
    public static readonly DateTime Day1 = new(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);

    public required Guid ProjectId { get; init; }

    public required List<PortalPrincipal> Annotators { get; init; }

    public required PortalPrincipal Lead { get; init; }

    /// <summary>The span labels of the "entities" question, in their label-set order (Person, Organization, …).</summary>
    public required List<Guid> Labels { get; init; }

    public required Guid VersionId { get; init; }

    public required Queue<long> FreeTasks { get; init; }

    public static async Task<AuditTestData> CreateAsync(TestDatabase database, int tasks, int annotators)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks, overlap: annotators, annotators);
        var lead = new PortalPrincipal(Guid.CreateVersion7(), "Quinn Lead", new HashSet<string> { AppRoles.User });
        await using var db = await database.ContextAsync();
        db.Users.Add(new User { Id = lead.UserId, ExternalId = $"lead-{lead.UserId:N}", Email = "lead@x", DisplayName = lead.DisplayName, CreatedAt = DateTime.UtcNow });
        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = lead.UserId, Role = ProjectRole.Reviewer, AddedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId!.Value).SingleAsync();
        var labels = await (from l in db.Labels
                            join c in db.TaxonomyControls on l.ControlId equals c.Id
                            where l.TaxonomyVersionId == versionId && c.Name == "entities"
                            orderby l.SortOrder
                            select l.Key).ToListAsync();
        var taskIds = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
        return new AuditTestData { ProjectId = projectId, Annotators = people, Lead = lead, Labels = labels, VersionId = versionId, FreeTasks = new Queue<long>(taskIds) };
    }

    /// <summary>
    /// Writes <paramref name="count"/> submitted annotations of one annotator, each on a task of its own, with
    /// <paramref name="spans"/> spans of <paramref name="label"/> (none when null) and one span of the second label.
    /// </summary>
    public async Task SubmitAsync(TestDatabase database, PortalPrincipal annotator, int count, Guid? label, AnnotationSource source, DateTime at,
        int spans = 2, AnnotationStatus status = AnnotationStatus.Submitted)
    {
        await using var db = await database.ContextAsync();
        for (var i = 0; i < count; i++)
        {
            var annotation = new Annotation
            {
                ProjectId = ProjectId, TaskId = FreeTasks.Dequeue(), UserId = annotator.UserId, TaxonomyVersionId = VersionId, Status = status, Source = source,
                CreatedAt = at, UpdatedAt = at, SubmittedAt = status == AnnotationStatus.Draft ? null : at.AddSeconds(i), Version = 1,
            };
            if (label is { } main)
            {
                annotation.Spans.AddRange(Enumerable.Range(0, spans).Select(s => new AnnotationSpan { ControlName = "entities", LabelKey = main, Start = s * 3, End = s * 3 + 2 }));
                annotation.Spans.Add(new AnnotationSpan { ControlName = "entities", LabelKey = Labels.First(l => l != main), Start = 20, End = 22 });
            }

            db.Annotations.Add(annotation);
        }

        await db.SaveChangesAsync();
    }

    public async Task SettingsAsync(TestDatabase database, Action<Project> change)
    {
        await using var db = await database.ContextAsync();
        var project = await db.Projects.SingleAsync(p => p.Id == ProjectId);
        change(project);
        await db.SaveChangesAsync();
    }
}
