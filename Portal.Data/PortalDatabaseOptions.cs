using System.ComponentModel.DataAnnotations;

namespace Portal.Data;

public enum DatabaseProvider
{
    Sqlite = 0,
    SqlServer = 1,
}

/// <summary>Bound from the <c>Portal:Database</c> section; the connection string is <c>ConnectionStrings:Portal</c>.</summary>
public sealed class PortalDatabaseOptions
{
    public const string Section = "Portal:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    [Required(ErrorMessage = "ConnectionStrings:Portal is required.")]
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations when the web app starts (the embedded default does; production runs <c>migrate</c>).</summary>
    public bool MigrateOnStartup { get; set; }
}
