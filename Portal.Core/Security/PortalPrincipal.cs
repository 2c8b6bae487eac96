namespace Portal.Core.Security;

/// <summary>
/// The signed-in user as services see it: the portal's own user id and the global roles from the token.
/// Services take it explicitly so that every call can be authorized on the server.
/// </summary>
public sealed record PortalPrincipal(Guid UserId, string DisplayName, IReadOnlySet<string> AppRoleSet)
{
    public bool IsAdmin => AppRoleSet.Contains(AppRoles.Admin);

    public bool IsManager => IsAdmin || AppRoleSet.Contains(AppRoles.Manager);

    /// <summary>
    /// The role this user effectively has in a project: admins and global managers act as project managers
    /// in every project; everyone else has exactly their membership role, or none.
    /// </summary>
    public ProjectRole? EffectiveRole(ProjectRole? membership) => IsManager ? ProjectRole.Manager : membership;

    public static bool Allows(ProjectRole? effective, ProjectRole required) =>
        effective is { } role && role >= required;
}
