using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Projects;

public class ProjectAccessTests
{
    private static async Task<(User User, Project Project)> UserWithProjectAsync(Portal.Data.PortalDbContext db, ProjectRole? membership)
    {
        var user = new User { Id = Guid.NewGuid(), ExternalId = Guid.NewGuid().ToString(), Email = "a@x", DisplayName = "A", CreatedAt = DateTime.UtcNow };
        var project = new Project { Id = Guid.NewGuid(), Name = "P", CreatedAt = DateTime.UtcNow, CreatedById = user.Id };
        if (membership is { } role)
        {
            project.Members.Add(new ProjectMember { ProjectId = project.Id, UserId = user.Id, Role = role, AddedAt = DateTime.UtcNow });
        }

        db.AddRange(user, project);
        await db.SaveChangesAsync();
        return (user, project);
    }

    [Fact]
    public async Task RequireAsync_ForeignProject_LooksExactlyLikeAMissingOne()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = await database.ContextAsync();
        var (_, project) = await UserWithProjectAsync(db, membership: null);
        var outsider = new PortalPrincipal(Guid.NewGuid(), "Outsider", new HashSet<string> { AppRoles.User });
        var access = database.Get<ProjectAccess>();

        var foreign = await Assert.ThrowsAsync<NotFoundException>(() => access.RequireAsync(db, outsider, project.Id, ProjectRole.Annotator, default));
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => access.RequireAsync(db, outsider, Guid.NewGuid(), ProjectRole.Annotator, default));

        Assert.Equal(missing.Message, foreign.Message);
        var denials = await db.AuditLog.Where(e => e.Action == "access.denied").OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(["not a member of the project", "no such project"], denials.Select(e => e.Details));
        Assert.All(denials, e => Assert.Equal(outsider.UserId, e.UserId));
    }

    [Fact]
    public async Task Denials_AreLogged_UpToTheLimitPerPerson_AndTheLastSaysSo()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = await database.ContextAsync();
        var (user, project) = await UserWithProjectAsync(db, ProjectRole.Annotator);
        var principal = new PortalPrincipal(user.Id, "A", new HashSet<string> { AppRoles.User });
        var access = database.Get<ProjectAccess>();

        for (var i = 0; i < DenialLog.PerWindow + 5; i++)
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => access.RequireAsync(db, principal, project.Id, ProjectRole.Manager, default));
        }

        var denials = await db.AuditLog.Where(e => e.Action == "access.denied").OrderBy(e => e.Id).Select(e => e.Details!).ToListAsync();
        Assert.Equal(DenialLog.PerWindow, denials.Count);
        Assert.StartsWith("needs the Manager role; is Annotator", denials[0], StringComparison.Ordinal);
        Assert.Contains("limit reached", denials[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequireAsync_MemberBelowTheRequiredRole_IsForbidden_AtOrAboveIsAllowed()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = await database.ContextAsync();
        var (user, project) = await UserWithProjectAsync(db, ProjectRole.Annotator);
        var principal = new PortalPrincipal(user.Id, "A", new HashSet<string> { AppRoles.User });
        var access = database.Get<ProjectAccess>();

        Assert.Equal(ProjectRole.Annotator, await access.RequireAsync(db, principal, project.Id, ProjectRole.Annotator, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => access.RequireAsync(db, principal, project.Id, ProjectRole.Reviewer, default));
    }
}
