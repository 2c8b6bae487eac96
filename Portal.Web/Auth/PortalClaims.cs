using System.Security.Claims;
using Portal.Core.Security;

namespace Portal.Web.Auth;

public static class PortalClaims
{
    /// <summary>The portal's own user id (database key), added at sign-in.</summary>
    public const string UserId = "portal_uid";

    public const string Roles = "roles";
    public const string Name = "name";
    public const string Email = "email";

    /// <summary>The service-facing view of a signed-in user, or null when the user is anonymous or not provisioned.</summary>
    public static PortalPrincipal? ToPrincipal(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true ||
            !Guid.TryParse(user.FindFirst(UserId)?.Value, out var id))
        {
            return null;
        }

        var roles = user.FindAll(Roles).Select(c => c.Value).Where(AppRoles.IsKnown).ToHashSet(StringComparer.Ordinal);
        return new PortalPrincipal(id, user.FindFirst(Name)?.Value ?? user.Identity.Name ?? "", roles);
    }

    public static bool HasPortalAccess(ClaimsPrincipal user) =>
        user.FindAll(Roles).Any(c => AppRoles.IsKnown(c.Value)) && user.HasClaim(c => c.Type == UserId);
}

public static class Policies
{
    /// <summary>Signed in, provisioned, and holding one of the portal's app roles.</summary>
    public const string PortalUser = "PortalUser";

    public const string Admin = "Admin";
    public const string Manager = "Manager";
}
