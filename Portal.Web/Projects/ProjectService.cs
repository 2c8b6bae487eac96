using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Queries;
using Portal.Data.Entities;
using Portal.Web.Auth;
using Portal.Web.Taxonomy;

namespace Portal.Web.Projects;

public sealed record ProjectCard(
    Guid Id, string Name, string? Description, ProjectRole Role, int TotalTasks, int CompletedTasks, int MyLabeled, int MyLabeledToday)
{
    public double PercentComplete => TotalTasks == 0 ? 0 : 100.0 * CompletedTasks / TotalTasks;

    /// <summary>For reviewers and managers: submissions waiting in the review queue (not their own).</summary>
    public int ToReview { get; init; }

    /// <summary>For reviewers and managers: tasks waiting for adjudication.</summary>
    public int ToAdjudicate { get; init; }

    /// <summary>For reviewers and managers: sampled work waiting for an audit verdict.</summary>
    public int ToAudit { get; init; }

    /// <summary>For reviewers and managers: annotators paused or after a failed onboarding, waiting for a QA lead's decision.</summary>
    public int OnHold { get; init; }

    /// <summary>For reviewers and managers: open drift findings (not yet resolved or dismissed).</summary>
    public int OpenFindings { get; init; }
}

/// <summary>A project to create; <paramref name="Taxonomy"/>, when given, is its first label set instead of the template's.</summary>
public sealed record NewProject(string Name, string? Description, string TemplateId, ProjectSettings Settings, TaxonomyTemplate? Taxonomy = null);

public sealed class ProjectService(IDbContextFactory<PortalDbContext> factory, AuditLog audit, TimeProvider clock)
{
    /// <summary>Projects the user works in (managers and admins: every active project), with progress.</summary>
    public async Task<IReadOnlyList<ProjectCard>> ListAsync(PortalPrincipal user, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var visible = await db.Projects.AsNoTracking()
            .Where(p => !p.IsArchived && (user.IsManager || p.Members.Any(m => m.UserId == user.UserId)))
            .OrderBy(p => p.Name)
            .Select(p => new
            {
                p.Id, p.Name, p.Description,
                Membership = p.Members.Where(m => m.UserId == user.UserId).Select(m => (ProjectRole?)m.Role).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var ids = visible.Select(p => p.Id).ToList();

        var tasks = await db.ProgressAsync(ids, ct);

        var today = clock.GetUtcNow().UtcDateTime.Date;
        var mine = await db.Annotations.AsNoTracking()
            .Where(a => a.UserId == user.UserId && ids.Contains(a.ProjectId) && a.SubmittedAt != null)
            .GroupBy(a => a.ProjectId)
            .Select(g => new { g.Key, All = g.Count(), Today = g.Count(a => a.SubmittedAt >= today) })
            .ToDictionaryAsync(x => x.Key, ct);

        // Queues only for the projects where the user reviews; blind labeling keeps them from annotators.
        var reviewing = visible.Where(p => PortalPrincipal.Allows(user.EffectiveRole(p.Membership), ProjectRole.Reviewer)).Select(p => p.Id).ToList();
        var requested = true;
        var toReview = await db.Annotations.AsNoTracking()
            .Where(a => reviewing.Contains(a.ProjectId) && a.ReviewRequested == requested && a.Status == AnnotationStatus.Submitted && a.UserId != user.UserId)
            .GroupBy(a => a.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var adjudication = TaskState.Adjudication;
        var toAdjudicate = await db.Tasks.AsNoTracking()
            .Where(t => reviewing.Contains(t.ProjectId) && t.State == adjudication && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == user.UserId))
            .GroupBy(t => t.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var waiting = Portal.Core.Audits.AuditOutcome.Waiting;
        var toAudit = await db.AuditSamples.AsNoTracking()
            .Where(s => reviewing.Contains(s.ProjectId) && s.Outcome == waiting)
            .GroupBy(s => s.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var free = Portal.Core.Audits.AnnotatorHold.None;
        var onHold = await db.ProjectMembers.AsNoTracking()
            .Where(m => reviewing.Contains(m.ProjectId) && m.Hold != free)
            .GroupBy(m => m.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var findings = await db.DriftFindings.AsNoTracking()
            .Where(f => reviewing.Contains(f.ProjectId) && (f.State == Portal.Core.Drift.DriftFindingState.Open || f.State == Portal.Core.Drift.DriftFindingState.Acknowledged))
            .GroupBy(f => f.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

        return visible.Select(p =>
        {
            tasks.TryGetValue(p.Id, out var t);
            mine.TryGetValue(p.Id, out var m);
            return new ProjectCard(p.Id, p.Name, p.Description, user.EffectiveRole(p.Membership)!.Value,
                t.Total, t.Completed, m?.All ?? 0, m?.Today ?? 0)
            {
                ToReview = toReview.GetValueOrDefault(p.Id),
                ToAdjudicate = toAdjudicate.GetValueOrDefault(p.Id),
                ToAudit = toAudit.GetValueOrDefault(p.Id),
                OnHold = onHold.GetValueOrDefault(p.Id),
                OpenFindings = findings.GetValueOrDefault(p.Id),
            };
        }).ToList();
    }

    /// <summary>Creates a project with its first taxonomy version and guidelines; the creator becomes its manager.</summary>
    public async Task<Guid> CreateAsync(PortalPrincipal user, NewProject request, CancellationToken ct)
    {
        if (!user.IsManager)
        {
            throw new ForbiddenException("Only managers and admins can create projects.");
        }

        var name = ProjectDetails.CleanName(request.Name);
        var errors = ProjectDetails.Validate(request.Name, request.Description).ToList();
        var template = request.Taxonomy ?? TaxonomyTemplates.Find(request.TemplateId);
        if (template is null)
        {
            errors.Add((nameof(NewProject.TemplateId), $"Unknown label set template '{request.TemplateId}'."));
        }

        errors.AddRange(request.Settings.Validate());
        await using var db = await factory.CreateDbContextAsync(ct);
        if (name.Length > 0 && await NameTakenAsync(db, name, exceptProjectId: null, ct))
        {
            errors.Add((ProjectDetails.NameField, NameTakenMessage(name)));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var project = new Project { Id = Guid.CreateVersion7(), Name = name, Description = ProjectDetails.CleanDescription(request.Description), CreatedAt = now, CreatedById = user.UserId };
        project.Apply(request.Settings);
        project.Members.Add(new ProjectMember { ProjectId = project.Id, UserId = user.UserId, Role = ProjectRole.Manager, AddedAt = now });
        var taxonomy = new Data.Entities.Taxonomy { Id = Guid.CreateVersion7(), ProjectId = project.Id };
        var version = TaxonomyVersionFactory.FromTemplate(template!, taxonomy.Id, 1, user.UserId, now);
        taxonomy.Versions.Add(version);
        taxonomy.CurrentVersionId = version.Id;
        project.Taxonomy = taxonomy;

        db.Projects.Add(project);
        db.GuidelineVersions.Add(new GuidelineVersion
        {
            Id = Guid.CreateVersion7(), ProjectId = project.Id, Number = 1, CreatedAt = now, CreatedById = user.UserId,
            Markdown = $"# {name}\n\n{template!.Summary}\n\nLabel what the text says, not what you assume. When unsure, skip with a reason.",
        });
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "project.create", "Project", project.Id.ToString(), project.Id, $"template: {template.Id} ({template.Title})"));
        await db.SaveChangesAsync(ct);
        return project.Id;
    }

    /// <summary>Names are unique among active projects, so people can tell them apart on the home page.</summary>
    internal static Task<bool> NameTakenAsync(PortalDbContext db, string name, Guid? exceptProjectId, CancellationToken ct) =>
        db.Projects.AnyAsync(p => p.Name == name && !p.IsArchived && p.Id != exceptProjectId, ct);

    internal static string NameTakenMessage(string name) => $"A project called \"{name}\" already exists.";
}
