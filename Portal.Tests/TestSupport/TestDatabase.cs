using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Data;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A real, migrated SQLite file in a temporary folder, with Portal's services registered exactly as every host registers
/// them (<see cref="PortalFeatures.AddPortalFeatures"/>); <see cref="Get{T}"/> hands them out.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly AsyncServiceScope scope;

    private TestDatabase(string folder, IConfiguration configuration, ServiceProvider services)
    {
        Folder = folder;
        Configuration = configuration;
        this.services = services;
        scope = services.CreateAsyncScope();
    }

    public string Folder { get; }

    /// <summary>The settings that point at this database, for a host that registers the services itself.</summary>
    public IConfiguration Configuration { get; }

    public string Path => System.IO.Path.Combine(Folder, "portal.db");

    public IDbContextFactory<PortalDbContext> Factory => services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    /// <summary>A service as the app builds it, over this database (scoped ones share one scope per database).</summary>
    public T Get<T>()
        where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    /// <param name="clock">The time every service sees; the system clock when not given.</param>
    public static async Task<TestDatabase> CreateAsync(bool migrate = true, TimeProvider? clock = null)
    {
        var folder = TempFolder.Create();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = "Data Source=portal.db",
            ["Portal:Database:Provider"] = "Sqlite",
        }).Build();
        var collection = new ServiceCollection()
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddPortalFeatures(configuration, folder);
        collection.AddSingleton(clock ?? TimeProvider.System);
        var services = collection.BuildServiceProvider();
        var database = new TestDatabase(folder, configuration, services);
        if (migrate)
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        }

        return database;
    }

    public async Task<PortalDbContext> ContextAsync() => await Factory.CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        TempFolder.Delete(Folder);
    }
}

public static class TempFolder
{
    public static string Create()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing background thread; the OS temp cleanup takes it.
        }
    }
}
