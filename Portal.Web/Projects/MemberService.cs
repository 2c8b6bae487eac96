using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Auth;

namespace Portal.Web.Projects;

public sealed record MemberView(Guid UserId, string DisplayName, string Email, ProjectRole Role, DateTime AddedAt);

/// <summary>Who works in a project and as what. Managers of the project (and admins) change it; every change is audited.</summary>
public sealed class MemberService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit, TimeProvider clock)
{
    public async Task<(string ProjectName, IReadOnlyList<MemberView> Members)> ListAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var name = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId)
            .OrderBy(m => m.User!.DisplayName)
            .Select(m => new MemberView(m.UserId, m.User!.DisplayName, m.User.Email, m.Role, m.AddedAt))
            .ToListAsync(ct);
        return (name, members);
    }

    /// <summary>
    /// Adds a person by e-mail, or changes their role. People appear in Portal after their first sign-in, so an
    /// unknown address is reported rather than invited.
    /// </summary>
    public async Task SetAsync(PortalPrincipal user, Guid projectId, string email, ProjectRole role, CancellationToken ct)
    {
        email = email?.Trim() ?? "";
        if (email.Length == 0 || !Enum.IsDefined(role))
        {
            throw new ValidationException([("Email", "Enter the person's e-mail address and choose a role.")]);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var lowered = email.ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower() to SQL LOWER(); string.Equals with a comparison has no SQL translation.
        var person = await db.Users.Where(u => u.IsActive && u.Email.ToLower() == lowered).FirstOrDefaultAsync(ct)
#pragma warning restore CA1862
            ?? throw new ValidationException([("Email", $"Nobody with the address {email} has signed in to Portal yet. Ask them to sign in once, then add them.")]);
        var member = await db.ProjectMembers.SingleOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == person.Id, ct);
        if (member is null)
        {
            db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = person.Id, Role = role, AddedAt = clock.GetUtcNow().UtcDateTime });
        }
        else if (member.UserId == user.UserId && member.Role == ProjectRole.Manager && role != ProjectRole.Manager)
        {
            await EnsureAnotherManagerAsync(db, projectId, user.UserId, ct);
            member.Role = role;
        }
        else
        {
            member.Role = role;
        }

        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "project.member.set", "User", person.Id.ToString(), projectId, $"{person.Email}: {role}"));
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveAsync(PortalPrincipal user, Guid projectId, Guid memberId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var member = await db.ProjectMembers.Include(m => m.User).SingleOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == memberId, ct)
            ?? throw new NotFoundException("The member");
        if (member.Role == ProjectRole.Manager)
        {
            await EnsureAnotherManagerAsync(db, projectId, memberId, ct);
        }

        db.ProjectMembers.Remove(member);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "project.member.remove", "User", memberId.ToString(), projectId, member.User?.Email));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A project always keeps at least one manager of its own.</summary>
    private static async Task EnsureAnotherManagerAsync(PortalDbContext db, Guid projectId, Guid leaving, CancellationToken ct)
    {
        if (!await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.Role == ProjectRole.Manager && m.UserId != leaving, ct))
        {
            throw new ValidationException([("Role", "A project needs at least one manager: make someone else manager first.")]);
        }
    }
}
