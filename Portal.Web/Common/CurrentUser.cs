using Microsoft.AspNetCore.Components.Authorization;
using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Common;

/// <summary>The signed-in person of this circuit or request, as the domain knows them.</summary>
public sealed class CurrentUser(AuthenticationStateProvider authentication)
{
    /// <summary>The person, or null when nobody (or nobody with portal access) is signed in.</summary>
    public async Task<PortalPrincipal?> FindAsync() => PortalClaims.ToPrincipal((await authentication.GetAuthenticationStateAsync()).User);

    /// <summary>The person; <see cref="ForbiddenException"/> when the sign-in has gone (expired, or the user was disabled).</summary>
    public async Task<PortalPrincipal> RequireAsync() => await FindAsync() ?? throw new ForbiddenException("Sign in again.");
}
