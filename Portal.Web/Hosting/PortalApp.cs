using Portal.Web.Auth;
using Portal.Web.ImportExport;
using Portal.Web.Reports;
using Portal.Web.Jobs;
using Portal.Web.Taxonomy;

namespace Portal.Web.Hosting;

/// <summary>The web application, built the same way by Program and by the tests (which pass their settings as arguments).</summary>
public static class PortalApp
{
    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrideServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Static web assets and Razor components are found by this name, also when a test process hosts the app.
            ApplicationName = typeof(PortalApp).Assembly.GetName().Name,
        });
        builder.AddPortalConfiguration();
        builder.AddPortalData();
        builder.AddPortalAuthentication();
        builder.AddPortalJobs();
        builder.AddPortalUi();
        builder.AddPortalRateLimits();
        overrideServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UsePortalPipeline();
        app.MapPortalAuthEndpoints();
        app.MapPortalJobs();
        app.MapTaxonomyExports();
        app.MapDataJobs();
        app.MapReports();
        app.MapPortalUi();
        return app;
    }
}
