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

/// <summary>A migrated SQLite file in the benchmark's folder, with the portal's services as every host registers them, and no logging.</summary>
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
            .AddPortalFeatures(configuration, folder)
            .BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return (services, services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
    }

    /// <summary>A project (overlap 2) with the customer-messages label set and <paramref name="annotators"/> annotators.</summary>
    public static async Task<(Guid Project, List<PortalPrincipal> People, Guid VersionId)> ProjectAsync(
        IDbContextFactory<PortalDbContext> factory, string name, int annotators, DateTime now)
    {
        var people = new List<PortalPrincipal>();
        await using var db = await factory.CreateDbContextAsync();
        var manager = new User { Id = Guid.CreateVersion7(), ExternalId = "bench:manager", Email = "m@bench", DisplayName = "Manager", CreatedAt = now };
        var project = new Project { Id = Guid.CreateVersion7(), Name = name, CreatedAt = now, CreatedById = manager.Id, AnnotatorsPerTask = 2 };
        var taxonomy = new Taxonomy { Id = Guid.CreateVersion7(), ProjectId = project.Id };
        var version = TaxonomyVersionFactory.FromTemplate(TaxonomyTemplates.CustomerMessages, taxonomy.Id, 1, manager.Id, now);
        taxonomy.Versions.Add(version);
        taxonomy.CurrentVersionId = version.Id;
        project.Taxonomy = taxonomy;
        db.AddRange(manager, project);
        for (var i = 0; i < annotators; i++)
        {
            var user = new User { Id = Guid.CreateVersion7(), ExternalId = $"bench:{i}", Email = $"a{i}@bench", DisplayName = $"A{i}", CreatedAt = now };
            db.Users.Add(user);
            project.Members.Add(new ProjectMember { ProjectId = project.Id, UserId = user.Id, Role = ProjectRole.Annotator, AddedAt = now });
            people.Add(new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { AppRoles.User }));
        }

        await db.SaveChangesAsync();
        return (project.Id, people, version.Id);
    }
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
