using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Portal.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Data;

/// <summary>The two migration sets match the model (run scripts/add-migration.sh NAME when this fails).</summary>
public class MigrationsConsistencyTests
{
    private static SqlServerPortalDbContext SqlServer()
    {
        var o = new DbContextOptionsBuilder<SqlServerPortalDbContext>();
        DataServiceCollectionExtensions.ConfigureSqlServer(o, "Server=unused;Database=Portal;Integrated Security=true;TrustServerCertificate=true");
        return new SqlServerPortalDbContext(o.Options);
    }

    private static SqlitePortalDbContext Sqlite()
    {
        var o = new DbContextOptionsBuilder<SqlitePortalDbContext>();
        DataServiceCollectionExtensions.ConfigureSqlite(o, "Data Source=unused.db");
        return new SqlitePortalDbContext(o.Options);
    }

    [Fact]
    public void Sqlite_HasNoPendingModelChanges()
    {
        using var db = Sqlite();
        Assert.False(db.Database.HasPendingModelChanges(), "The SQLite migrations lag the model: run scripts/add-migration.sh NAME.");
    }

    [Fact]
    public void SqlServer_HasNoPendingModelChanges()
    {
        using var db = SqlServer();
        Assert.False(db.Database.HasPendingModelChanges(), "The SQL Server migrations lag the model: run scripts/add-migration.sh NAME.");
    }

    [Fact]
    public void BothProviders_HaveTheSameMigrationNames()
    {
        using var sqlite = Sqlite();
        using var sqlServer = SqlServer();
        static IEnumerable<string> Names(DbContext db) => db.Database.GetMigrations().Select(m => m[(m.IndexOf('_') + 1)..]);
        Assert.NotEmpty(Names(sqlite));
        Assert.Equal(Names(sqlite), Names(sqlServer));
    }

    [Fact]
    public void SqlServerScript_ParsesWithMicrosoftsTSqlParser()
    {
        using var db = SqlServer();
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("CREATE TABLE [Tasks]", script, StringComparison.Ordinal);

        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        var fragment = parser.Parse(reader, out var errors);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(e => $"line {e.Line}: {e.Message}")));
        Assert.NotEmpty(((TSqlScript)fragment).Batches);
    }

    /// <summary>
    /// The bulk writers' hand-written statements (import, audit samples, pair scores), as sent to SQL Server: valid T-SQL,
    /// and every column they insert is a column of that table in the SQL Server model (SQLite runs them for real in the
    /// import, audit and agreement tests).
    /// </summary>
    [Fact]
    public void ImportStatements_AreValidTSql_AndNameRealColumns()
    {
        using var db = SqlServer();
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var inserts = 0;
        foreach (var sql in Portal.Data.Bulk.ImportBulkWriter.Statements(sqlite: false).All.Append(Portal.Data.Bulk.AuditSampleWriter.Insert).Append(Portal.Data.Bulk.PairScoreWriter.Insert))
        {
            using var reader = new StringReader(sql);
            var script = (TSqlScript)parser.Parse(reader, out var errors);
            Assert.True(errors.Count == 0, $"{sql}: {string.Join("; ", errors.Select(e => e.Message))}");
            foreach (var insert in script.Batches.SelectMany(b => b.Statements).OfType<InsertStatement>())
            {
                var table = ((NamedTableReference)insert.InsertSpecification.Target).SchemaObject.BaseIdentifier.Value;
                var entity = db.Model.GetEntityTypes().Single(e => e.GetTableName() == table);
                var columns = entity.GetProperties().Select(p => p.GetColumnName()).ToHashSet();
                foreach (var column in insert.InsertSpecification.Columns.Select(c => c.MultiPartIdentifier.Identifiers[^1].Value))
                {
                    Assert.True(columns.Contains(column), $"{table} has no column {column}");
                }

                // Every non-null column without a default is given a value.
                var required = entity.GetProperties().Where(p => !p.IsNullable && !p.ValueGenerated.HasFlag(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd) && p.GetDefaultValueSql() is null)
                    .Select(p => p.GetColumnName());
                Assert.Empty(required.Except(insert.InsertSpecification.Columns.Select(c => c.MultiPartIdentifier.Identifiers[^1].Value)));
                inserts++;
            }
        }

        // Tasks (twice), predictions, ground truths, annotations, spans, answers, revisions, gold answers and their task
        // events; audit samples; a pair's scored tasks.
        Assert.Equal(12, inserts);
    }

    [Fact]
    public async Task Sqlite_FreshFile_MigratesToEveryTable_InWalMode()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = await database.ContextAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());

        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var entity in db.Model.GetEntityTypes())
        {
            Assert.Contains(entity.GetTableName()!, tables);
        }
    }

    [Fact]
    public async Task Sqlite_MigrateTwice_IsHarmless()
    {
        await using var database = await TestDatabase.CreateAsync();
        var migrator = new DatabaseMigrator(database.Factory, Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance);
        Assert.Empty(await migrator.MigrateAsync());
    }
}
