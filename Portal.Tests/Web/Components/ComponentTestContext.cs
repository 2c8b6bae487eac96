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
        // These components run the real services over SQLite: a submit and the next task take well under a second alone,
        // but the whole suite at once on two cores made one take longer than bUnit's one-second default.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        Database = await TestDatabase.CreateAsync();
        await Database.Get<DemoSeeder>().SeedAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // The same registration as the app, the CLI and the benchmarks, over the test's database.
        Services.AddPortalFeatures(Database.Configuration, Database.Folder);
        Services.AddSingleton(new AuthMode(IsDemo: true, IdentityProviderOrigin: null));
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
