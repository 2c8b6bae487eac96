using Portal.Data;
using Portal.Web.Common;
using Portal.Web.Admin;
using Portal.Web.Agreement;
using Portal.Web.Audits;
using Portal.Web.Dashboard;
using Portal.Web.Drift;
using Portal.Web.ImportExport;
using Portal.Web.Jobs;
using Portal.Web.Labeling;
using Portal.Web.Notifications;
using Portal.Web.Projects;
using Portal.Web.Reports;
using Portal.Web.Review;
using Portal.Web.Tasks;
using Portal.Web.Taxonomy;

namespace Portal.Web;

/// <summary>
/// The one registration of Portal's domain: the database, the shared ground and every feature's services, in an explicit
/// list (no assembly scanning). The web app, the command line, the component tests and the benchmarks all call it, so
/// they run the same services; each host adds only what is its own (UI, sign-in, Hangfire, console logging).
/// </summary>
public static class PortalFeatures
{
    public static IServiceCollection AddPortalFeatures(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddPortalData(configuration, contentRoot);
        services.AddPortalCommon();
        services.AddDurableRuns();
        services.AddProjects();
        services.AddTaxonomy();
        services.AddLabeling();
        services.AddReview();
        services.AddAgreement();
        services.AddAudits();
        services.AddNotifications(configuration);
        services.AddDrift();
        services.AddImportExport(configuration);
        services.AddReports();
        services.AddAdmin();
        services.AddDashboard();
        services.AddTasks();
        // The demo project is seeded through the real services, by the web app and by tests alike.
        services.AddSingleton<Demo.DemoSeeder>();
        return services;
    }

    /// <summary>What every feature needs: time, access checks, the current user, label sets, the audit log.</summary>
    public static IServiceCollection AddPortalCommon(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddSingleton<DenialLog>();
        services.AddSingleton<ProjectAccess>();
        services.AddSingleton<LabelSetCache>();
        services.AddSingleton<RunLocks>();
        services.AddScoped<CurrentUser>();
        services.AddScoped<AuditLog>();
        return services;
    }
}
