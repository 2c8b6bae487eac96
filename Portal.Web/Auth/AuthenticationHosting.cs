using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Identity.Web;
using Portal.Core.Security;

namespace Portal.Web.Auth;

public static class AuthenticationHosting
{
    /// <summary>
    /// Entra ID through Microsoft.Identity.Web when <c>AzureAd:ClientId</c> is set; otherwise the demo sign-in,
    /// which refuses to start in Production and, elsewhere outside Development, unless explicitly allowed.
    /// </summary>
    public static void AddPortalAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var azureAd = builder.Configuration.GetSection("AzureAd");
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateOnStart();
        services.AddOptions<AuthRevalidationOptions>().BindConfiguration(AuthRevalidationOptions.Section).ValidateOnStart();
        services.AddSingleton<UserDirectory>();

        if (!string.IsNullOrWhiteSpace(azureAd["ClientId"]))
        {
            var authority = azureAd["Authority"] is { Length: > 0 } a ? a : $"{azureAd["Instance"]?.TrimEnd('/')}/{azureAd["TenantId"]}/v2.0";
            services.AddSingleton(new AuthMode(IsDemo: false, new Uri(authority).GetLeftPart(UriPartial.Authority)));
            services.AddAuthentication(OpenIdConnectDefaults.AuthenticationScheme)
                .AddMicrosoftIdentityWebApp(azureAd, OpenIdConnectDefaults.AuthenticationScheme, CookieAuthenticationDefaults.AuthenticationScheme);
            services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, ConfigureOpenIdConnect);
        }
        else
        {
            var demo = builder.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
            if (builder.Environment.IsProduction())
            {
                throw new InvalidOperationException(
                    "No AzureAd section is configured and demo sign-in is never allowed in Production. Configure AzureAd (Entra ID).");
            }

            if (!builder.Environment.IsDevelopment() && !demo.AllowOutsideDevelopment)
            {
                throw new InvalidOperationException(
                    $"No AzureAd section is configured. Demo sign-in outside Development needs Portal:Demo:AllowOutsideDevelopment=true (environment: {builder.Environment.EnvironmentName}).");
            }

            services.AddSingleton(new AuthMode(IsDemo: true, IdentityProviderOrigin: null));
            services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        }

        services.Configure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, ConfigureCookie);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.PortalUser, p => p.RequireAuthenticatedUser().RequireAssertion(c => PortalClaims.HasPortalAccess(c.User)))
            .AddPolicy(Policies.Manager, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.UserId).RequireClaim(PortalClaims.Roles, AppRoles.Admin, AppRoles.Manager))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.UserId).RequireClaim(PortalClaims.Roles, AppRoles.Admin));
        // Every endpoint without an explicit rule needs a portal user; public pages opt out with [AllowAnonymous].
        services.Configure<AuthorizationOptions>(o =>
        {
            o.DefaultPolicy = o.GetPolicy(Policies.PortalUser)!;
            o.FallbackPolicy = o.GetPolicy(Policies.PortalUser);
        });
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, PortalAuthenticationStateProvider>();
        services.AddHttpContextAccessor();
    }

    private static void ConfigureOpenIdConnect(OpenIdConnectOptions o)
    {
        // A failed sign-in at the provider (cancelled, misconfigured, expired) lands on the sign-in page with a message.
        o.Events.OnRemoteFailure = context =>
        {
            context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Auth")
                .LogWarning(context.Failure, "Sign-in at the identity provider failed.");
            context.Response.Redirect("/account/signin?error=provider");
            context.HandleResponse();
            return Task.CompletedTask;
        };
        var previous = o.Events.OnTokenValidated;
        o.Events.OnTokenValidated = async context =>
        {
            await previous(context);
            if (context.Result is not null || context.Principal?.Identity is not ClaimsIdentity identity)
            {
                return;
            }

            var services = context.HttpContext.RequestServices;
            var user = await services.GetRequiredService<UserDirectory>().ProvisionAsync(context.Principal, context.HttpContext.RequestAborted);
            if (user is null)
            {
                context.Fail("This account is disabled in Portal or has no stable id.");
                return;
            }

            // The cookie carries the portal's own small set of claims, whatever names the provider's handler gave them.
            var roles = UserDirectory.RolesOf(context.Principal);
            context.Principal = UserDirectory.PortalPrincipal(user, roles, identity.AuthenticationType ?? OpenIdConnectDefaults.AuthenticationScheme);
            await services.GetRequiredService<AuditLog>().WriteAsync(user.Id, user.DisplayName, "sign-in", "User", user.Id.ToString(),
                details: $"roles: {string.Join(' ', roles)}");
        };
    }

    private static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = "portal.auth";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.LoginPath = "/account/login";
        o.LogoutPath = "/account/signout";
        o.AccessDeniedPath = "/access-denied";
        o.ExpireTimeSpan = TimeSpan.FromHours(10);
        o.SlidingExpiration = true;
        o.Events.OnValidatePrincipal = RevalidateCookieAsync;
    }

    /// <summary>At most once a minute per cookie: is the user still there and active?</summary>
    private static async Task RevalidateCookieAsync(CookieValidatePrincipalContext context)
    {
        const string checkedKey = "portal.checked";
        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var interval = TimeSpan.FromSeconds(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthRevalidationOptions>>().Value.RevalidateSeconds);
        if (context.Properties.Items.TryGetValue(checkedKey, out var last) &&
            DateTimeOffset.TryParse(last, out var lastCheck) && now - lastCheck < interval)
        {
            return;
        }

        var principal = PortalClaims.ToPrincipal(context.Principal);
        if (principal is not null && !await services.GetRequiredService<UserDirectory>().IsActiveAsync(principal.UserId, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        context.Properties.Items[checkedKey] = now.ToString("O");
        context.ShouldRenew = true;
    }

    public static void MapPortalAuthEndpoints(this WebApplication app)
    {
        var mode = app.Services.GetRequiredService<AuthMode>();
        var account = app.MapGroup("/account").AllowAnonymous();

        // Where the cookie handler sends anonymous users: the IdP, or the demo user picker.
        account.MapGet("/login", (string? returnUrl) =>
        {
            var target = SafeReturnUrl(returnUrl);
            return mode.IsDemo
                ? Results.Redirect($"/account/signin?returnUrl={Uri.EscapeDataString(target)}")
                : Results.Challenge(new AuthenticationProperties { RedirectUri = target }, [OpenIdConnectDefaults.AuthenticationScheme]);
        });

        if (mode.IsDemo)
        {
            // Antiforgery is checked here rather than by parameter binding, so an expired form sends the user back
            // to the picker with a message instead of failing the request.
            account.MapPost("/demo-signin", async (HttpContext http, IAntiforgery antiforgery, UserDirectory users, AuditLog audit) =>
            {
                if (!await antiforgery.IsRequestValidAsync(http))
                {
                    return Results.Redirect("/account/signin?error=expired");
                }

                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                var user = Guid.TryParse(form["userId"], out var userId) ? await users.FindActiveDemoUserAsync(userId, http.RequestAborted) : null;
                if (user is null)
                {
                    return Results.Redirect("/account/signin?error=unknown-user");
                }

                await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, UserDirectory.DemoPrincipal(user));
                await audit.WriteAsync(user.Id, user.DisplayName, "sign-in", "User", user.Id.ToString(), details: "demo sign-in");
                return Results.LocalRedirect(SafeReturnUrl(form["returnUrl"]));
            }).DisableAntiforgery();
        }

        app.MapPost("/account/signout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.LocalRedirect("/");
            }

            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return mode.IsDemo
                ? Results.LocalRedirect("/account/signin?signedOut=1")
                : Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/signin?signedOut=1" }, [OpenIdConnectDefaults.AuthenticationScheme]);
        }).RequireAuthorization(p => p.RequireAuthenticatedUser()).DisableAntiforgery();
    }

    /// <summary>
    /// A local path to return to after sign-in, else "/": never another host ("//x", "/\\x"), and never a control character,
    /// which cannot go into a Location header (it made the redirect fail with a server error).
    /// </summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) &&
        !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.Any(char.IsControl) ? returnUrl : "/";
}
