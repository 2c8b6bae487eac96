using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Data;

/// <summary>A migrated SQLite file in the benchmark's folder, with the portal's data services and no logging.</summary>
internal static class BenchDatabase
{
    public static async Task<(ServiceProvider Services, IDbContextFactory<PortalDbContext> Factory)> CreateAsync(string folder, string file)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(folder, file)}",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddPortalData(configuration, folder)
            .BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return (services, services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
    }
}
