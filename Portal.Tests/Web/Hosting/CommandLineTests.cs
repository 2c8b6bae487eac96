using Microsoft.Data.Sqlite;
using Portal.Tests.TestSupport;
using Portal.Web.Cli;

namespace Portal.Tests.Web.Hosting;

public class CommandLineTests
{
    [Fact]
    public async Task Migrate_FreshSqliteFile_CreatesTheSchema_AndASecondRunIsANoOp()
    {
        var folder = TempFolder.Create();
        var database = Path.Combine(folder, "cli.db");
        string[] args = ["migrate", $"--ConnectionStrings:Portal=Data Source={database}", "--Logging:LogLevel:Default=Warning"];
        try
        {
            Assert.Equal(0, await PortalCommandLine.RunAsync(args));
            Assert.Equal(0, await PortalCommandLine.RunAsync(args));

            await using var connection = new SqliteConnection($"Data Source={database}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM __EFMigrationsHistory";
            Assert.True((long)(await command.ExecuteScalarAsync())! >= 1);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TempFolder.Delete(folder);
        }
    }

    [Fact]
    public async Task Migrate_UnknownProvider_FailsWithoutAStackTraceOnStdout()
    {
        var folder = TempFolder.Create();
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            var code = await PortalCommandLine.RunAsync(["migrate", "--Portal:Database:Provider=Oracle", $"--ConnectionStrings:Portal=Data Source={Path.Combine(folder, "x.db")}"]);
            Assert.NotEqual(0, code);
            Assert.Equal("", output.ToString());
        }
        finally
        {
            Console.SetOut(original);
            TempFolder.Delete(folder);
        }
    }

    [Fact]
    public void IsVerb_OnlyKnownVerbs_LeaveServingOptionsAlone()
    {
        Assert.True(PortalCommandLine.IsVerb(["migrate"]));
        Assert.False(PortalCommandLine.IsVerb(["--urls", "http://127.0.0.1:5000"]));
        Assert.False(PortalCommandLine.IsVerb([]));
    }
}
