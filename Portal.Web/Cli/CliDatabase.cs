using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.Core.ImportExport;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Web.Cli;

/// <summary>The database for verbs that need one (import, export): configuration as the portal reads it, logs on stderr.</summary>
internal static class CliDatabase
{
    public static IHost Build(IReadOnlyList<string> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [.. settings] });
        PortalConfiguration.AddRootSettings(builder.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddPortalFeatures(builder.Configuration, builder.Environment.ContentRootPath);
        return builder.Build();
    }

    /// <summary>A project by id or by its exact name; anything else is a clear error.</summary>
    public static async Task<(Guid Id, Guid CreatedById)> ProjectAsync(IDbContextFactory<PortalDbContext> factory, string project, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var byId = Guid.TryParse(project, out var parsed) ? parsed : (Guid?)null;
        var match = await db.Projects.AsNoTracking()
            .Where(p => byId != null ? p.Id == byId : p.Name == project)
            .Select(p => new { p.Id, p.CreatedById }).ToListAsync(ct);
        return match.Count == 1
            ? (match[0].Id, match[0].CreatedById)
            : throw new DataFormatException(match.Count == 0 ? $"There is no project \"{project}\"." : $"Several projects are called \"{project}\"; pass its id.");
    }
}
