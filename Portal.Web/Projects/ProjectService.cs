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

/// <summary>A project on the Home page: progress, the user's own work, and for QA leads what waits for them.</summary>
/// <param name="Role">The role the user acts with (admins and portal managers manage every project).</param>
/// <param name="Membership">The role the project gave them; null when they see it only as an admin or portal manager.</param>
public sealed record ProjectCard(
    Guid Id, string Name, string? Description, ProjectRole Role, ProjectRole? Membership, string Access, int TotalTasks, int CompletedTasks, int MyLabeled, int MyLabeledToday)
{
    public double PercentComplete => TotalTasks == 0 ? 0 : 100.0 * CompletedTasks / TotalTasks;

    /// <summary>For reviewers and managers: what waits in the project's queues (empty for annotators: blind labeling).</summary>
    public ProjectQueues Queues { get; init; } = ProjectQueues.None;

    /// <summary>Whether the user labels here: members do; an admin looking in from outside has no labeling of their own.</summary>
    public bool IsMember => Membership is not null;
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
        var queues = await QueueCounts.ForReviewerAsync(db, user.UserId, reviewing, ct);

        return visible.Select(p =>
        {
            tasks.TryGetValue(p.Id, out var t);
            mine.TryGetValue(p.Id, out var m);
            return new ProjectCard(p.Id, p.Name, p.Description, user.EffectiveRole(p.Membership)!.Value, p.Membership, ProjectRoles.Describe(user, p.Membership),
                t.Total, t.Completed, m?.All ?? 0, m?.Today ?? 0)
            {
                Queues = queues.GetValueOrDefault(p.Id, ProjectQueues.None),
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
