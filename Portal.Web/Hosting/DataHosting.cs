using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Demo;

namespace Portal.Web.Hosting;

public static class DataHosting
{
    /// <summary>The domain (<see cref="PortalFeatures.AddPortalFeatures"/>) and what only the web host adds around it.</summary>
    public static void AddPortalData(this WebApplicationBuilder builder)
    {
        builder.Services.AddPortalFeatures(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddDataProtection().SetApplicationName("Portal").PersistKeysToPortalDatabase();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
    }

    /// <summary>Migrates when configured to (the embedded default does) and seeds the demo project in demo mode.</summary>
    public static async Task PreparePortalDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PortalDatabaseOptions>>().Value;
        if (options.MigrateOnStartup)
        {
            await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        }

        var demo = app.Services.GetRequiredService<IOptions<Auth.DemoOptions>>().Value;
        if (app.Services.GetRequiredService<Auth.AuthMode>().IsDemo && demo.Seed)
        {
            await app.Services.GetRequiredService<DemoSeeder>().SeedAsync();
        }
    }
}
