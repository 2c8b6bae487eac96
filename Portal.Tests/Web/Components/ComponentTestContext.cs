using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Services;
using Portal.Core.Security;
using Portal.Tests.TestSupport;
using Portal.Web.Auth;
using Portal.Web.Demo;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Components;

/// <summary>bUnit with MudBlazor, the real services over a seeded demo database, and a chosen demo user.</summary>
public abstract class ComponentTestContext : BunitContext, IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = default!;

    protected BunitAuthorizationContext Auth { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        await new DemoSeeder(Database.Factory, TimeProvider.System, new Portal.Web.Review.ConsensusService(Database.Factory, TimeProvider.System, NullLogger<Portal.Web.Review.ConsensusService>.Instance), NullLogger<DemoSeeder>.Instance).SeedAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(Database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IHttpContextAccessor, HttpContextAccessor>();
        Services.AddSingleton(new AuthMode(IsDemo: true, IdentityProviderOrigin: null));
        Services.AddScoped<AuditLog>();
        Services.AddScoped<ProjectService>();
        Services.AddScoped<ProjectAccess>();
        Services.AddScoped<Portal.Web.Taxonomy.TaxonomyService>();
        Services.AddScoped<Portal.Web.Review.ConsensusService>();
        Services.AddScoped<Portal.Web.Labeling.LabelingService>();
        Auth = AddAuthorization();
        // Last, because touching the renderer builds the service provider.
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>Signs the component tree in as a seeded demo user, with the claims the real sign-in gives.</summary>
    protected async Task SignInAsync(string demoKey)
    {
        var user = (await new UserDirectory(Database.Factory, TimeProvider.System).ListDemoUsersAsync(default))
            .Single(u => u.ExternalId == UserDirectory.DemoPrefix + demoKey);
        var principal = UserDirectory.DemoPrincipal(user);
        Auth.SetAuthorized(user.DisplayName);
        var roles = principal.FindAll(PortalClaims.Roles).Select(c => c.Value).ToArray();
        Auth.SetRoles(roles);
        var policies = new List<string> { Policies.PortalUser };
        if (roles.Contains(AppRoles.Admin))
        {
            policies.AddRange([Policies.Admin, Policies.Manager]);
        }
        else if (roles.Contains(AppRoles.Manager))
        {
            policies.Add(Policies.Manager);
        }

        Auth.SetPolicies([.. policies]);
        // Last: bUnit rebuilds the principal on each Set call from what it holds, and claims are what the portal reads.
        Auth.SetClaims([.. principal.Claims.Where(c => c.Type != ClaimTypes.Name)]);
    }

    /// <summary>A page inside MudBlazor's popover, dialog and snackbar providers, as the layout hosts it.</summary>
    protected static RenderFragment WithProviders<TPage>(params (string Name, object Value)[] parameters)
        where TPage : IComponent => b =>
    {
        b.OpenComponent<MudPopoverProvider>(0);
        b.CloseComponent();
        b.OpenComponent<MudDialogProvider>(1);
        b.CloseComponent();
        b.OpenComponent<MudSnackbarProvider>(2);
        b.CloseComponent();
        b.OpenComponent<TPage>(3);
        foreach (var (name, value) in parameters)
        {
            b.AddComponentParameter(4, name, value);
        }

        b.CloseComponent();
    };

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}
