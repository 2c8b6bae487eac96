using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Portal.Data;

/// <summary>Applies the provider's migrations. Never EnsureCreated: the database holds real labels.</summary>
public sealed class DatabaseMigrator(IDbContextFactory<PortalDbContext> factory, ILogger<DatabaseMigrator> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count == 0)
        {
            logger.LogInformation("Database is up to date ({Provider}).", db.Database.ProviderName);
            return pending;
        }

        logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        await db.Database.MigrateAsync(ct);
        return pending;
    }
}
