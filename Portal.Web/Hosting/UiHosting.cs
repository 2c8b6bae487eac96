using MudBlazor;
using MudBlazor.Services;
using Portal.Web.Auth;
using Portal.Web.Components;
using Portal.Web.Demo;

namespace Portal.Web.Hosting;

public static class UiHosting
{
    public static void AddPortalUi(this WebApplicationBuilder builder)
    {
        // Detailed errors show stack traces to users: never in production.
        if (builder.Environment.IsProduction() && builder.Configuration.GetValue<bool>("DetailedErrors"))
        {
            throw new InvalidOperationException("DetailedErrors is on in Production. Turn it off: details belong in the log only.");
        }

        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(o =>
            {
                o.DetailedErrors = builder.Environment.IsDevelopment();
                // A page whose connection dropped keeps its circuit (about 1 MB) this long for the reconnect; a closed
                // tab releases it at once. Labeling saves drafts as people go, so a page that comes back later reloads
                // with its draft: two minutes and at most 50 waiting circuits bound what lost connections hold
                // (docs/decisions/0024; ASP.NET Core's defaults are three minutes and 100).
                o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromMinutes(2);
                o.DisconnectedCircuitMaxRetained = 50;
            });
        builder.Services.AddMudServices(c =>
        {
            // Toasts sit in the middle of the app bar (app.css), which holds no buttons: never over Submit, Accept,
            // Reject or the menu. Short: people who work through a queue read them in passing.
            c.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.TopCenter;
            c.SnackbarConfiguration.VisibleStateDuration = 2500;
            c.SnackbarConfiguration.ShowTransitionDuration = 150;
            c.SnackbarConfiguration.HideTransitionDuration = 300;
            // One at a time: a second toast would stack below the first, down into the page.
            c.SnackbarConfiguration.MaxDisplayedSnackbars = 1;
        });
        builder.Services.AddSingleton<CircuitCounts>();
        builder.Services.AddScoped<CircuitLimit>();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler>(sp => sp.GetRequiredService<CircuitLimit>());
    }

    public static void UsePortalPipeline(this WebApplication app)
    {
        // Domain errors on endpoints become problem details (ProblemDetailsExceptionHandler); faults get the error page.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandlingPath = "/error", CreateScopeForErrors = true });
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<HubOriginCheck>();
        // A friendly page for unknown addresses; the dashboard, API and health keep their plain status codes.
        app.UseWhen(
            c => !c.Request.Path.StartsWithSegments("/jobs") && !c.Request.Path.StartsWithSegments("/api") &&
                 !c.Request.Path.StartsWithSegments("/health") && !c.Request.Path.StartsWithSegments("/_"),
            b => b.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        // Routing after the error and status-code handlers, so their re-executed requests are routed afresh.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        // After sign-in, so a person's requests count against their own allowance, not their office's address.
        app.UseRateLimiter();
        app.UseAntiforgery();
    }

    public static void MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = async (context, report) =>
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsJsonAsync(new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
                });
            },
        }).AllowAnonymous();
    }
}
