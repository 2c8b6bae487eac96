using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IDbContextFactory{PortalDbContext}"/> for the configured provider, a scoped
    /// <see cref="PortalDbContext"/> for the few framework parts that want one, and the migrator.
    /// A relative SQLite path is resolved against <paramref name="contentRoot"/>.
    /// </summary>
    public static IServiceCollection AddPortalData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<PortalDatabaseOptions>()
            .Bind(configuration.GetSection(PortalDatabaseOptions.Section))
            .Configure(o => o.ConnectionString = configuration.GetConnectionString("Portal") ?? o.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = Read(configuration);
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = NormaliseSqliteConnectionString(options.ConnectionString, contentRoot);
                services.AddPooledDbContextFactory<SqlitePortalDbContext>(o => ConfigureSqlite(o, sqlite));
                services.AddSingleton<IDbContextFactory<PortalDbContext>, ProviderFactory<SqlitePortalDbContext>>();
                break;
            case DatabaseProvider.SqlServer:
                services.AddPooledDbContextFactory<SqlServerPortalDbContext>(o => ConfigureSqlServer(o, options.ConnectionString));
                services.AddSingleton<IDbContextFactory<PortalDbContext>, ProviderFactory<SqlServerPortalDbContext>>();
                break;
            default:
                throw new InvalidOperationException($"Portal:Database:Provider is '{options.Provider}'; it must be Sqlite or SqlServer.");
        }

        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        services.AddSingleton<DatabaseMigrator>();
        return services;
    }

    /// <summary>The database settings, with a clear message for an unknown provider name.</summary>
    public static PortalDatabaseOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(PortalDatabaseOptions.Section);
        var provider = section[nameof(PortalDatabaseOptions.Provider)];
        if (provider is { Length: > 0 } && (!Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out _) || int.TryParse(provider, out _)))
        {
            throw new InvalidOperationException($"Portal:Database:Provider is '{provider}'; it must be Sqlite or SqlServer.");
        }

        var options = new PortalDatabaseOptions();
        section.Bind(options);
        options.ConnectionString = configuration.GetConnectionString("Portal") ?? options.ConnectionString;
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("ConnectionStrings:Portal is empty; set it to a SQLite file (Data Source=…) or a SQL Server connection string.");
        }

        return options;
    }

    /// <summary>Data-protection keys in the database, so every instance behind a load balancer shares them.</summary>
    public static IDataProtectionBuilder PersistKeysToPortalDatabase(this IDataProtectionBuilder builder) =>
        builder.PersistKeysToDbContext<PortalDbContext>();

    public static void ConfigureSqlite(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlite(connectionString, s => s.MigrationsHistoryTable("__EFMigrationsHistory"))
         .AddInterceptors(SqlitePragmas.Instance, SqliteWriters.Interceptor.Instance);

    public static void ConfigureSqlServer(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlServer(connectionString, s => s.EnableRetryOnFailure());

    internal static string NormaliseSqliteConnectionString(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } source && source != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var path = Path.IsPathRooted(source) ? source : Path.GetFullPath(Path.Combine(contentRoot, source));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }

        // Writers wait for each other instead of failing with "database is locked".
        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }

        return builder.ToString();
    }

    private sealed class ProviderFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<PortalDbContext>
        where TContext : PortalDbContext
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<PortalDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }

    /// <summary>WAL (readers never block the writer), normal sync and the busy handler (<see cref="SqliteBusy"/>) on every SQLite connection.</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        private static readonly string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " + SqliteBusy.TimeoutPragma;

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
            SqliteBusy.Set(connection);
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            SqliteBusy.Set(connection);
        }
    }
}
