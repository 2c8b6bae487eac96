using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data;

namespace Portal.Web.Projects;

/// <summary>Where an entry of the project menu sits: the daily work, quality, the user's own pages, or running the project.</summary>
public enum NavGroup
{
    Work,
    Quality,
    Yours,
    Manage,
}

/// <summary>One entry of a project's menu; <paramref name="Count"/>, when set, is what waits there.</summary>
/// <param name="Key">A stable name of the entry (its CSS class and icon).</param>
/// <param name="Prefix">Whether pages under the entry's address (a task under Tasks) also light it up.</param>
public sealed record NavEntry(string Key, string Title, string Href, NavGroup Group, int? Count = null, bool Prefix = false);

/// <summary>A project's menu for one user: only the entries their role may use.</summary>
public sealed record ProjectNav(Guid ProjectId, string ProjectName, string Access, IReadOnlyList<NavEntry> Entries);

/// <summary>The per-project left navigation: which pages the user may open, with the counts of what waits there.</summary>
public sealed class ProjectNavService(IDbContextFactory<PortalDbContext> factory)
{
    /// <summary>The menu of the project, or null when it does not exist or the user is not in it (the page itself says so).</summary>
    public async Task<ProjectNav?> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking()
            .Where(p => p.Id == projectId)
            .Select(p => new { p.Name, Membership = p.Members.Where(m => m.UserId == user.UserId).Select(m => (ProjectRole?)m.Role).FirstOrDefault() })
            .SingleOrDefaultAsync(ct);
        if (project is null || user.EffectiveRole(project.Membership) is not { } role)
        {
            return null;
        }

        var queues = role >= ProjectRole.Reviewer
            ? (await QueueCounts.ForReviewerAsync(db, user.UserId, [projectId], ct))[projectId]
            : ProjectQueues.None;
        return new ProjectNav(projectId, project.Name, ProjectRoles.Describe(user, project.Membership), Entries(projectId, role, project.Membership is not null, queues));
    }

    /// <summary>The entries a role may use, in menu order.</summary>
    public static IReadOnlyList<NavEntry> Entries(Guid projectId, ProjectRole role, bool isMember, ProjectQueues queues)
    {
        var at = $"/projects/{projectId}";
        var qaLead = role >= ProjectRole.Reviewer;
        var manager = role >= ProjectRole.Manager;
        var entries = new List<NavEntry>
        {
            new("overview", "Overview", at, NavGroup.Work),
            new("label", "Label", $"{at}/label", NavGroup.Work),
        };
        if (qaLead)
        {
            entries.AddRange(
            [
                new("review", "Review", $"{at}/review", NavGroup.Work, queues.ToReview),
                new("adjudicate", "Adjudicate", $"{at}/adjudicate", NavGroup.Work, queues.ToAdjudicate),
                new("audit", "Audit", $"{at}/audit", NavGroup.Work, queues.ToAudit),
                new("tasks", "Tasks", $"{at}/tasks", NavGroup.Work, Prefix: true),
                new("quality", "Quality dashboard", $"{at}/quality", NavGroup.Quality),
                new("drift", "Drift", $"{at}/drift", NavGroup.Quality, queues.OpenFindings),
                new("audit-results", "Audit results", $"{at}/audits", NavGroup.Quality),
                new("gold", "Gold & people on hold", $"{at}/gold", NavGroup.Quality, queues.OnHold),
                new("scorecards", "Scorecards", $"{at}/scorecards", NavGroup.Quality, Prefix: true),
                // QA leads get the quality sheets, managers every sheet (ReportService decides).
                new("reports", "Excel reports", $"{at}/reports", NavGroup.Quality),
            ]);
        }

        entries.Add(new("guidelines", "Guidelines", $"{at}/guidelines", NavGroup.Work));
        if (isMember)
        {
            // Admins looking in from outside have no labeling of their own to look back on.
            entries.Add(new("my-history", "My history", $"{at}/history", NavGroup.Yours));
            entries.Add(new("my-quality", "My quality", $"{at}/my-quality", NavGroup.Yours));
        }

        if (manager)
        {
            entries.AddRange(
            [
                new("taxonomy", "Label set", $"{at}/taxonomy", NavGroup.Manage),
                new("members", "People", $"{at}/members", NavGroup.Manage),
                new("settings", "Settings", $"{at}/settings", NavGroup.Manage),
                new("review-settings", "Review settings", $"{at}/settings/review", NavGroup.Manage),
                new("quality-settings", "Quality settings", $"{at}/settings/quality", NavGroup.Manage),
                new("data", "Import / export", $"{at}/data", NavGroup.Manage),
            ]);
        }

        return entries;
    }
}
