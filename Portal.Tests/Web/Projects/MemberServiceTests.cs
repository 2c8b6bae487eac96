using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Auth;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Projects;

public class MemberServiceTests
{
    private static async Task<(MemberService Service, Guid ProjectId, PortalPrincipal Manager, User Annotator)> SetUpAsync(TestDatabase database)
    {
                var manager = new PortalPrincipal(Guid.CreateVersion7(), "Morgan", new HashSet<string> { AppRoles.Manager });
        var annotator = new User { Id = Guid.CreateVersion7(), ExternalId = "oid-ann", Email = "Ann@Example.test", DisplayName = "Ann", CreatedAt = DateTime.UtcNow };
        await using (var db = await database.ContextAsync())
        {
            db.Users.AddRange(new User { Id = manager.UserId, ExternalId = "oid-m", Email = "m@example.test", DisplayName = "Morgan", CreatedAt = DateTime.UtcNow }, annotator);
            await db.SaveChangesAsync();
        }

        var projectId = await database.Get<ProjectService>()
            .CreateAsync(manager, new NewProject("Tickets", null, TaxonomyTemplates.NamedEntities.Id, new ProjectSettings()), default);
        return (database.Get<MemberService>(), projectId, manager, annotator);
    }

    [Fact]
    public async Task Set_AddsByEmailCaseInsensitively_ThenChangesTheRole_AndAuditsBoth()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (service, projectId, manager, annotator) = await SetUpAsync(database);

        await service.SetAsync(manager, projectId, " ann@example.TEST ", ProjectRole.Annotator, default);
        await service.SetAsync(manager, projectId, "ann@example.test", ProjectRole.Reviewer, default);

        var (_, members) = await service.ListAsync(manager, projectId, default);
        Assert.Equal(ProjectRole.Reviewer, members.Single(m => m.UserId == annotator.Id).Role);
        await using var db = await database.ContextAsync();
        Assert.Equal(2, await db.AuditLog.CountAsync(e => e.Action == "project.member.set"));
    }

    [Fact]
    public async Task Set_UnknownAddress_SaysTheyMustSignInFirst()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (service, projectId, manager, _) = await SetUpAsync(database);
        var error = await Assert.ThrowsAsync<ValidationException>(() => service.SetAsync(manager, projectId, "nobody@example.test", ProjectRole.Annotator, default));
        Assert.Contains("signed in to Portal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyManagers_ManageMembers_AndTheLastManagerStays()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (service, projectId, manager, annotator) = await SetUpAsync(database);
        await service.SetAsync(manager, projectId, annotator.Email, ProjectRole.Annotator, default);
        var asAnnotator = new PortalPrincipal(annotator.Id, "Ann", new HashSet<string> { AppRoles.User });

        await Assert.ThrowsAsync<ForbiddenException>(() => service.ListAsync(asAnnotator, projectId, default));
        await Assert.ThrowsAsync<NotFoundException>(() => service.ListAsync(asAnnotator, Guid.NewGuid(), default));
        await Assert.ThrowsAsync<ValidationException>(() => service.RemoveAsync(manager, projectId, manager.UserId, default));

        await service.RemoveAsync(manager, projectId, annotator.Id, default);
        Assert.DoesNotContain((await service.ListAsync(manager, projectId, default)).Members, m => m.UserId == annotator.Id);
    }
}
