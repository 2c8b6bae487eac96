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

public class ProjectServiceTests
{
    private static ProjectService Service(TestDatabase database) =>
        new(database.Factory, new AuditLog(database.Factory, TimeProvider.System, new HttpContextAccessor()), TimeProvider.System);

    private static async Task<PortalPrincipal> UserAsync(TestDatabase database, params string[] roles)
    {
        await using var db = await database.ContextAsync();
        var user = new User { Id = Guid.NewGuid(), ExternalId = Guid.NewGuid().ToString(), Email = "u@x", DisplayName = "U", CreatedAt = DateTime.UtcNow };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new PortalPrincipal(user.Id, user.DisplayName, roles.ToHashSet());
    }

    private static NewProject Request(string name = "Support tickets") =>
        new(name, "Tickets from the help desk", TaxonomyTemplates.CustomerMessages.Id, new ProjectSettings());

    [Fact]
    public async Task CreateAsync_Manager_CreatesProjectWithFirstTaxonomyVersionAndAuditEntry()
    {
        await using var database = await TestDatabase.CreateAsync();
        var manager = await UserAsync(database, AppRoles.Manager);

        var id = await Service(database).CreateAsync(manager, Request(), CancellationToken.None);

        await using var db = await database.ContextAsync();
        var project = await db.Projects.Include(p => p.Members).Include(p => p.Taxonomy).SingleAsync(p => p.Id == id);
        Assert.Equal(ProjectRole.Manager, Assert.Single(project.Members).Role);
        var version = await db.TaxonomyVersions.SingleAsync(v => v.TaxonomyId == project.Taxonomy!.Id);
        Assert.Equal(version.Id, project.Taxonomy!.CurrentVersionId);
        Assert.Equal(1, version.Number);
        Assert.Contains(await db.Labels.Where(l => l.TaxonomyVersionId == version.Id).Select(l => l.Path).ToListAsync(), p => p == "Organization / Company");
        Assert.Equal(1, await db.GuidelineVersions.CountAsync(g => g.ProjectId == id));
        Assert.Equal("project.create", (await db.AuditLog.SingleAsync(e => e.ProjectId == id)).Action);
    }

    [Fact]
    public async Task CreateAsync_PlainUser_IsForbidden_AndNothingIsStored()
    {
        await using var database = await TestDatabase.CreateAsync();
        var user = await UserAsync(database, AppRoles.User);

        await Assert.ThrowsAsync<ForbiddenException>(() => Service(database).CreateAsync(user, Request(), CancellationToken.None));

        await using var db = await database.ContextAsync();
        Assert.Equal(0, await db.Projects.CountAsync());
    }

    [Fact]
    public async Task CreateAsync_BadInput_ReportsEveryFieldAtOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        var manager = await UserAsync(database, AppRoles.Manager);
        var service = Service(database);
        await service.CreateAsync(manager, Request("Taken"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ValidationException>(() => service.CreateAsync(
            manager, new NewProject("  Taken ", null, "no-such-template", new ProjectSettings { AnnotatorsPerTask = 0 }), CancellationToken.None));

        Assert.Equal(["TemplateId", "AnnotatorsPerTask", "Name"], error.Errors.Select(e => e.Field));
    }

    [Fact]
    public async Task ListAsync_Annotator_SeesOnlyTheirProjects_ManagerSeesAll()
    {
        await using var database = await TestDatabase.CreateAsync();
        var manager = await UserAsync(database, AppRoles.Manager);
        var annotator = await UserAsync(database, AppRoles.User);
        var service = Service(database);
        var mine = await service.CreateAsync(manager, Request("Mine"), CancellationToken.None);
        await service.CreateAsync(manager, Request("Not mine"), CancellationToken.None);
        await using (var db = await database.ContextAsync())
        {
            db.ProjectMembers.Add(new ProjectMember { ProjectId = mine, UserId = annotator.UserId, Role = ProjectRole.Annotator, AddedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var annotatorSees = await service.ListAsync(annotator, CancellationToken.None);
        var managerSees = await service.ListAsync(manager, CancellationToken.None);

        Assert.Equal(["Mine"], annotatorSees.Select(p => p.Name));
        Assert.Equal(ProjectRole.Annotator, annotatorSees[0].Role);
        Assert.Equal(["Mine", "Not mine"], managerSees.Select(p => p.Name));
    }
}
