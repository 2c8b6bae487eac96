using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Notifications;

/// <summary>A project with a manager (its creator), a QA lead, an annotator and an outsider, each with an e-mail address.</summary>
internal sealed record NotificationFixture(Guid ProjectId, string ProjectName, PortalPrincipal Manager, PortalPrincipal Lead, PortalPrincipal Annotator, PortalPrincipal Outsider)
{
    public static async Task<NotificationFixture> CreateAsync(TestDatabase database, string projectName = "Customer support")
    {
        var manager = Person("Mia Manager", AppRoles.User);
        var lead = Person("Lea Lead", AppRoles.User);
        var annotator = Person("Ann Annotator", AppRoles.User);
        var outsider = Person("Otto Outsider", AppRoles.User);
        await using (var db = await database.ContextAsync())
        {
            foreach (var person in new[] { manager, lead, annotator, outsider })
            {
                db.Users.Add(new User
                {
                    Id = person.UserId, ExternalId = person.UserId.ToString(), DisplayName = person.DisplayName,
                    Email = $"{person.DisplayName.Split(' ')[0].ToLowerInvariant()}@example.test", CreatedAt = DateTime.UtcNow,
                });
            }

            await db.SaveChangesAsync();
        }

        // Created by a global manager so the project exists; the people below are its members by role.
        var creator = new PortalPrincipal(manager.UserId, manager.DisplayName, new HashSet<string> { AppRoles.Manager });
        var projectId = await database.Get<ProjectService>().CreateAsync(creator, new NewProject(projectName, null, TaxonomyTemplates.CustomerMessages.Id, new ProjectSettings()), default);
        await using (var db = await database.ContextAsync())
        {
            db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = lead.UserId, Role = ProjectRole.Reviewer, AddedAt = DateTime.UtcNow });
            db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = annotator.UserId, Role = ProjectRole.Annotator, AddedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        return new NotificationFixture(projectId, projectName, manager, lead, annotator, outsider);
    }

    private static PortalPrincipal Person(string name, string role) => new(Guid.CreateVersion7(), name, new HashSet<string> { role });
}
