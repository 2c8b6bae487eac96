using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data;

namespace Portal.Web.Common;

/// <summary>Server-side project authorization used by every feature service.</summary>
public sealed class ProjectAccess(DenialLog denials)
{
    /// <summary>
    /// The caller's effective role in the project, or <see cref="NotFoundException"/> when the project is missing
    /// or the caller is not in it; <see cref="ForbiddenException"/> when the role is below <paramref name="required"/>.
    /// </summary>
    public async Task<ProjectRole> RequireAsync(PortalDbContext db, PortalPrincipal user, Guid projectId, ProjectRole required, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking()
            .Where(p => p.Id == projectId)
            .Select(p => new { p.Id, Membership = p.Members.Where(m => m.UserId == user.UserId).Select(m => (ProjectRole?)m.Role).FirstOrDefault() })
            .SingleOrDefaultAsync(ct);
        var role = user.EffectiveRole(project?.Membership);
        if (project is null || role is null)
        {
            await denials.RecordAsync(user, $"project {projectId}", project is null ? null : projectId, project is null ? "no such project" : "not a member of the project");
            throw new NotFoundException("The project");
        }

        if (!PortalPrincipal.Allows(role, required))
        {
            await denials.RecordAsync(user, $"project {projectId}", projectId, $"needs the {required} role; is {role}");
            throw new ForbiddenException($"This needs the {required} role in the project; you are {role}.");
        }

        return role.Value;
    }
}
