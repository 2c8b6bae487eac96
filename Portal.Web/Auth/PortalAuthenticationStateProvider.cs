using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace Portal.Web.Auth;

public sealed class AuthRevalidationOptions
{
    public const string Section = "Portal:Auth";

    /// <summary>How often an open tab re-checks that its user still exists and is active.</summary>
    public int RevalidateSeconds { get; set; } = 60;
}

/// <summary>An open tab loses access within a minute of its user being disabled or removed.</summary>
internal sealed class PortalAuthenticationStateProvider(
    ILoggerFactory loggerFactory, UserDirectory users, IOptions<AuthRevalidationOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(options.Value.RevalidateSeconds);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = PortalClaims.ToPrincipal(authenticationState.User);
        try
        {
            return principal is not null && await users.IsActiveAsync(principal.UserId, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // The app is stopping and its services are gone: the circuit ends with it, nothing to check.
            return false;
        }
    }
}
