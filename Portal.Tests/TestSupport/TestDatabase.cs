using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Data;

namespace Portal.Tests.TestSupport;

/// <summary>A real, migrated SQLite file in a temporary folder, registered exactly as the app registers it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private TestDatabase(string folder, ServiceProvider services)
    {
        Folder = folder;
        this.services = services;
    }

    public string Folder { get; }

    public string Path => System.IO.Path.Combine(Folder, "portal.db");

    public IDbContextFactory<PortalDbContext> Factory => services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    public static async Task<TestDatabase> CreateAsync(bool migrate = true)
    {
        var folder = TempFolder.Create();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = "Data Source=portal.db",
            ["Portal:Database:Provider"] = "Sqlite",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddPortalData(configuration, folder)
            .BuildServiceProvider();
        var database = new TestDatabase(folder, services);
        if (migrate)
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        }

        return database;
    }

    public async Task<PortalDbContext> ContextAsync() => await Factory.CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
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
