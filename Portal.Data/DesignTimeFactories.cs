using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Data;

// Used only by `dotnet ef` (scripts/add-migration.sh); the connection strings never connect.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePortalDbContext>
{
    public SqlitePortalDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<SqlitePortalDbContext>();
        DataServiceCollectionExtensions.ConfigureSqlite(o, "Data Source=design-time.db");
        return new SqlitePortalDbContext(o.Options);
    }
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerPortalDbContext>
{
    public SqlServerPortalDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<SqlServerPortalDbContext>();
        DataServiceCollectionExtensions.ConfigureSqlServer(o, "Server=design-time;Database=Portal;Integrated Security=true;TrustServerCertificate=true");
        return new SqlServerPortalDbContext(o.Options);
    }
}
