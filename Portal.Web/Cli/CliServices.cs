using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Auth;
using Portal.Web.Hosting;
using Portal.Web.ImportExport;
using Portal.Web.Jobs;
using Portal.Web.Projects;
using Portal.Web.Taxonomy;

namespace Portal.Web.Cli;

/// <summary>
/// The services the verbs that need a database use: configuration as the portal reads it (with the verb's
/// <c>--Key=Value</c> settings), logs on stderr, and the same feature services as the pages.
/// </summary>
internal static class CliServices
{
    /// <summary>The name the command line's own user has, and its audit entries when no project creator stands for it.</summary>
    public const string ActorName = "Command line";

    private const string ActorExternalId = "system:command-line";

    /// <param name="progress">Hears the rows an import or export has read so far, every few seconds.</param>
    public static IHost Build(IReadOnlyList<string> settings, Func<long, Task>? progress = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [.. settings] });
        PortalConfiguration.AddRootSettings(builder.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        AddCliServices(builder.Services, builder.Configuration, builder.Environment.ContentRootPath, progress);
        // The shared registration also holds what only the web app can build (the signed-in circuit's user, Hangfire's
        // sweeps); a verb never asks for those, so the Development-time validation of every registration is left out,
        // as it is in Production. A verb is one operation: its services live as long as the process.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = false }));
        return builder.Build();
    }

    /// <summary>Every registration the verbs need, in one place.</summary>
    private static void AddCliServices(IServiceCollection services, IConfiguration configuration, string contentRoot, Func<long, Task>? progress)
    {
        // The same registration as the web app, the tests and the benchmarks; the CLI adds only its own queue (jobs run in this process).
        services.AddPortalFeatures(configuration, contentRoot);
        services.AddSingleton<UserDirectory>();
        services.AddTransient<IDataJobQueue>(s => new InlineDataJobQueue(s.GetRequiredService<DurableRunner>(), s.GetRequiredService<RunRegistry>(), progress));
    }

    /// <summary>A project by id or by its exact name; anything else is a clear error.</summary>
    public static async Task<Guid> ProjectAsync(IDbContextFactory<PortalDbContext> factory, string project, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var byId = Guid.TryParse(project, out var parsed) ? parsed : (Guid?)null;
        var match = await db.Projects.AsNoTracking()
            .Where(p => byId != null ? p.Id == byId : p.Name == project)
            .Select(p => p.Id).ToListAsync(ct);
        return match.Count == 1
            ? match[0]
            : throw new DataFormatException(match.Count == 0 ? $"There is no project \"{project}\"." : $"Several projects are called \"{project}\"; pass its id.");
    }

    /// <summary>
    /// Who the command line acts as in a project: the project's creator, as the import verb always did, with global
    /// manager rights so the services' checks pass, and a name that says the work came from the command line.
    /// </summary>
    public static async Task<PortalPrincipal> ProjectActorAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var creator = await db.Projects.Where(p => p.Id == projectId)
            .Select(p => new { p.CreatedById, Name = db.Users.Where(u => u.Id == p.CreatedById).Select(u => u.DisplayName).FirstOrDefault() })
            .SingleAsync(ct);
        return new PortalPrincipal(creator.CreatedById, creator.Name is null or ActorName ? ActorName : $"{creator.Name} (command line)", new HashSet<string> { AppRoles.Manager });
    }

    /// <summary>
    /// Who creates projects from the command line: a user of its own (inactive, so nobody signs in as it), created on
    /// first use; the projects it creates name it as creator, so later verbs on them act as it too.
    /// </summary>
    public static async Task<PortalPrincipal> SystemActorAsync(IDbContextFactory<PortalDbContext> factory, TimeProvider clock, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var id = await db.Users.Where(u => u.ExternalId == ActorExternalId).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct);
        if (id is null)
        {
            var user = new User
            {
                Id = Guid.CreateVersion7(), ExternalId = ActorExternalId, Email = "command-line@portal.invalid", DisplayName = ActorName, IsActive = false,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.Users.Add(user);
            await db.SaveChangesAsync(ct);
            id = user.Id;
        }

        return new PortalPrincipal(id.Value, ActorName, new HashSet<string> { AppRoles.Manager });
    }
}
