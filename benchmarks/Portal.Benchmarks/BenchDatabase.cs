using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Taxonomy;

/// <summary>A migrated SQLite file in the benchmark's folder, with the portal's services as every host registers them, and no logging but the SQL a measurement records (<see cref="SqlLog"/>).</summary>
internal static class BenchDatabase
{
    public static async Task<(ServiceProvider Services, IDbContextFactory<PortalDbContext> Factory)> CreateAsync(string folder, string file)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(folder, file)}",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new LoggerFactory([SqlLog.Instance]))
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddPortalFeatures(configuration, folder)
            .BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return (services, services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
    }

    /// <summary>A project with the customer-messages label set (overlap 2), a manager and <paramref name="annotators"/> annotators.</summary>
    public static async Task<(Guid ProjectId, Guid VersionId, List<PortalPrincipal> People)> ProjectAsync(
        IDbContextFactory<PortalDbContext> factory, string name, int annotators, DateTime now)
    {
        await using var db = await factory.CreateDbContextAsync();
        var manager = new User { Id = Guid.CreateVersion7(), ExternalId = "bench:manager", Email = "m@bench", DisplayName = "Manager", CreatedAt = now };
        var project = new Project { Id = Guid.CreateVersion7(), Name = name, CreatedAt = now, CreatedById = manager.Id, AnnotatorsPerTask = 2 };
        var taxonomy = new Taxonomy { Id = Guid.CreateVersion7(), ProjectId = project.Id };
        var version = TaxonomyVersionFactory.FromTemplate(TaxonomyTemplates.CustomerMessages, taxonomy.Id, 1, manager.Id, now);
        taxonomy.Versions.Add(version);
        taxonomy.CurrentVersionId = version.Id;
        project.Taxonomy = taxonomy;
        db.AddRange(manager, project);
        var people = new List<PortalPrincipal>();
        for (var i = 0; i < annotators; i++)
        {
            var user = new User { Id = Guid.CreateVersion7(), ExternalId = $"bench:{i}", Email = $"a{i}@bench", DisplayName = $"A{i}", CreatedAt = now };
            db.Users.Add(user);
            project.Members.Add(new ProjectMember { ProjectId = project.Id, UserId = user.Id, Role = ProjectRole.Annotator, AddedAt = now });
            people.Add(new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { AppRoles.User }));
        }

        await db.SaveChangesAsync();
        return (project.Id, version.Id, people);
    }

    /// <summary>A prepared insert for bulk seeding with raw SQL (EF Core's change tracker is far too slow for millions of rows).</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    public static async Task Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A Guid as EF Core stores it in SQLite.</summary>
    public static string Text(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>A DateTime as EF Core stores it in SQLite.</summary>
    public static string Text(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
}

/// <summary>
/// Peak memory of one phase: on Linux the kernel's high-water mark of resident memory (VmHWM) is reset at the start of
/// a phase (writing 5 to /proc/self/clear_refs) and read at its end; elsewhere the process's peak working set.
/// </summary>
internal static class PhasePeak
{
    public static void Reset()
    {
        // Memory the previous phase left to the GC is given back to the system first, so it does not count here.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static long Bytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null)
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }

        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
