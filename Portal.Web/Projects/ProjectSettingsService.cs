using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Queries;

namespace Portal.Web.Projects;

/// <summary>
/// The settings edited on the settings page itself: what the project is called and how many people label each task
/// for how long. The review, quality and drift settings keep their own pages, linked from it.
/// </summary>
/// <param name="Version">The project's version when these were read: saving over a newer one is a conflict.</param>
public sealed record GeneralSettings(string Name, string? Description, int AnnotatorsPerTask, int CoveragePercent, int ReservationMinutes, int Version);

/// <summary>The settings page: the editable part, every other setting (read-only, for the summaries) and whether the project is archived.</summary>
public sealed record ProjectSettingsView(GeneralSettings General, ProjectSettings All, bool IsArchived, int OpenTasks);

/// <summary>What a save did: the settings as stored (with the new version) and how many open tasks now want a different number of annotators.</summary>
public sealed record SettingsSaved(GeneralSettings Settings, int RetargetedTasks);

/// <summary>
/// A project's general settings and its archiving: managers and admins only, validated by the same rules as the New
/// project dialog (<see cref="ProjectDetails"/>, <see cref="ProjectSettings.Validate"/>), saved against the version read,
/// every change audited with what it was before.
/// </summary>
public sealed class ProjectSettingsService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit)
{
    public const string ConflictMessage = "Someone changed these settings meanwhile. Your changes are still in the form: reload the page to see theirs, then make yours again.";

    /// <summary>Tasks are re-targeted in batches of this many, so a project of a million tasks does not sit in memory at once.</summary>
    private const int Batch = 5_000;

    public async Task<ProjectSettingsView> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var p = await db.Projects.AsNoTracking().SingleAsync(x => x.Id == projectId, ct);
        var open = TaskState.Open;
        var openTasks = await db.Tasks.Where(t => t.ProjectId == projectId && !t.IsGold && t.State == open && t.SubmittedCount < t.TargetAnnotations)
            .Published(db).CountAsync(ct);
        return new ProjectSettingsView(new GeneralSettings(p.Name, p.Description, p.AnnotatorsPerTask, p.CoveragePercent, p.ReservationMinutes, p.Version),
            p.Settings, p.IsArchived, openTasks);
    }

    /// <summary>
    /// Saves all or nothing. A change of annotators per task or coverage applies to the tasks still waiting for
    /// annotations (open, not gold), in the same transaction: each gets the target the new settings give it, plus the
    /// extra annotators low agreement already asked for, and never fewer than it has already handed out. Tasks that now
    /// have all their annotations go through consensus at the next sweep; finished tasks keep what they had.
    /// </summary>
    public async Task<SettingsSaved> SaveAsync(PortalPrincipal user, Guid projectId, GeneralSettings settings, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        var before = project.Settings;
        var updated = before with { AnnotatorsPerTask = settings.AnnotatorsPerTask, CoveragePercent = settings.CoveragePercent, ReservationMinutes = settings.ReservationMinutes };
        var name = ProjectDetails.CleanName(settings.Name);
        var description = ProjectDetails.CleanDescription(settings.Description);
        var errors = ProjectDetails.Validate(settings.Name, settings.Description).Concat(updated.Validate()).ToList();
        if (name.Length > 0 && name != project.Name && await ProjectService.NameTakenAsync(db, name, projectId, ct))
        {
            errors.Add((ProjectDetails.NameField, ProjectService.NameTakenMessage(name)));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        var changes = Changes(project, name, description, before, updated);
        if (changes.Count == 0)
        {
            return new SettingsSaved(settings with { Name = name, Description = description, Version = project.Version }, 0);
        }

        (project.Name, project.Description) = (name, description);
        project.Apply(updated);
        // The version the manager read is the concurrency check, so a change made since the page opened is not overwritten.
        project.Version = settings.Version;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException(ConflictMessage);
        }

        var retargeted = before.AnnotatorsPerTask == updated.AnnotatorsPerTask && before.CoveragePercent == updated.CoveragePercent
            ? 0
            : await RetargetOpenTasksAsync(db, projectId, before, updated, ct);
        if (retargeted > 0)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"{retargeted} open task(s) re-targeted"));
        }

        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "project.settings", "Project", projectId.ToString(), projectId, string.Join("; ", changes)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new SettingsSaved(settings with { Name = name, Description = description, Version = project.Version }, retargeted);
    }

    /// <summary>Archives (or restores) the project: archived projects leave everyone's home page and the nightly jobs skip them; nothing is deleted.</summary>
    public async Task SetArchivedAsync(PortalPrincipal user, Guid projectId, bool archived, int version, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        if (project.IsArchived == archived)
        {
            return;
        }

        if (!archived && await ProjectService.NameTakenAsync(db, project.Name, projectId, ct))
        {
            throw new ValidationException(ProjectDetails.NameField,
                $"Another active project is called \"{project.Name}\" now. Rename one of them first, then restore this one.");
        }

        project.IsArchived = archived;
        project.Version = version;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, archived ? "project.archive" : "project.restore", "Project", projectId.ToString(), projectId, project.Name));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException(ConflictMessage);
        }
    }

    /// <summary>Each changed field as "field: before -> after", in the order of the form.</summary>
    private static List<string> Changes(Project project, string name, string? description, ProjectSettings before, ProjectSettings after)
    {
        var changes = new List<string>();
        void Add<T>(string field, T old, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(old, now))
            {
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{field}: {old} -> {now}"));
            }
        }

        Add("name", project.Name, name);
        if (project.Description != description)
        {
            // Descriptions can be long: the log says that it changed, the page shows the text.
            changes.Add("description changed");
        }

        Add("annotators per task", before.AnnotatorsPerTask, after.AnnotatorsPerTask);
        Add("coverage %", before.CoveragePercent, after.CoveragePercent);
        Add("reservation minutes", before.ReservationMinutes, after.ReservationMinutes);
        return changes;
    }

    /// <summary>Gives every task still waiting for annotations the target of the new overlap and coverage; returns how many changed.</summary>
    private static async Task<int> RetargetOpenTasksAsync(PortalDbContext db, Guid projectId, ProjectSettings before, ProjectSettings after, CancellationToken ct)
    {
        var open = TaskState.Open;
        var changed = 0;
        long lastId = 0;
        while (true)
        {
            var page = await db.Tasks.AsNoTracking()
                .Where(t => t.ProjectId == projectId && t.Id > lastId && !t.IsGold && t.State == open && t.SubmittedCount < t.TargetAnnotations)
                .OrderBy(t => t.Id).Take(Batch)
                .Select(t => new
                {
                    t.Id, t.ContentHash, t.TargetAnnotations,
                    // Staged tasks of a running import stay unavailable until it publishes them.
                    Published = t.ImportJobId == null || db.DataJobs.Any(j => j.Id == t.ImportJobId && j.State == Portal.Core.Jobs.RunState.Succeeded),
                })
                .ToListAsync(ct);
            if (page.Count == 0)
            {
                return changed;
            }

            lastId = page[^1].Id;
            var groups = page
                .Select(t => (t.Id, t.Published, t.TargetAnnotations, Target: NewTarget(t.ContentHash, t.TargetAnnotations, before, after)))
                .Where(t => t.Target != t.TargetAnnotations)
                .GroupBy(t => (t.Target, t.Published));
            foreach (var group in groups)
            {
                var ids = group.Select(t => t.Id).ToList();
                var target = group.Key.Target;
                changed += group.Key.Published
                    ? await db.Tasks.Where(t => ids.Contains(t.Id)).ExecuteUpdateAsync(u => u
                        .SetProperty(t => t.TargetAnnotations, t => t.AssignedCount > target ? t.AssignedCount : target)
                        .SetProperty(t => t.IsAvailable, t => t.AssignedCount < target)
                        .SetProperty(t => t.Version, t => t.Version + 1), ct)
                    : await db.Tasks.Where(t => ids.Contains(t.Id)).ExecuteUpdateAsync(u => u
                        .SetProperty(t => t.TargetAnnotations, t => t.AssignedCount > target ? t.AssignedCount : target)
                        .SetProperty(t => t.Version, t => t.Version + 1), ct);
            }
        }
    }

    /// <summary>The target under the new settings, keeping the extra annotators low agreement already asked for.</summary>
    internal static int NewTarget(string contentHash, int currentTarget, ProjectSettings before, ProjectSettings after)
    {
        var extra = Math.Max(0, currentTarget - Coverage.TargetAnnotations(contentHash, before.AnnotatorsPerTask, before.CoveragePercent));
        return Coverage.TargetAnnotations(contentHash, after.AnnotatorsPerTask, after.CoveragePercent) + extra;
    }
}
