using Portal.Core.Security;

namespace Portal.Web.Projects;

public static class ProjectRoles
{
    /// <summary>
    /// The user's place in a project in plain words. Admins and portal managers act as managers everywhere, but a card or
    /// menu must not claim a project role nobody gave them: outside a membership it says why they see the project.
    /// </summary>
    public static string Describe(PortalPrincipal user, ProjectRole? membership) => (membership, user.IsAdmin) switch
    {
        ({ } role, true) => $"{role} · Admin",
        ({ } role, false) => role.ToString(),
        (null, true) => "Admin · not a member",
        (null, false) => user.IsManager ? "Portal manager · not a member" : "Not a member",
    };
}
