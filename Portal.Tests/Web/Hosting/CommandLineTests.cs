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
    public void IsCommand_BareWordsAreCommands_HostOptionsAloneServe()
    {
        Assert.True(PortalCommandLine.IsCommand(["migrate"]));
        Assert.True(PortalCommandLine.IsCommand(["report", "--project", "x"]));
        Assert.True(PortalCommandLine.IsCommand(["--help"]));
        Assert.False(PortalCommandLine.IsCommand(["--urls", "http://127.0.0.1:5000"]));
        Assert.False(PortalCommandLine.IsCommand(["--environment", "Development", "--urls", "http://127.0.0.1:0", "--Portal:Database:Provider=Sqlite"]));
        Assert.False(PortalCommandLine.IsCommand(["--ConnectionStrings:Portal=Data Source=x.db"]));
        Assert.False(PortalCommandLine.IsCommand([]));
        // .NET's command-line configuration also takes Key=Value and /Key=Value without dashes.
        Assert.False(PortalCommandLine.IsCommand(["urls=http://127.0.0.1:5000"]));
        Assert.False(PortalCommandLine.IsCommand(["/environment=Staging"]));
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("agreement", "FILE", "--format", "--level")]
    [InlineData("import", "FILE", "--project", "--format", "--text-column", "--valid-rows", "--mask", "--annotations", "--map-label", "--map-annotator")]
    [InlineData("export", "--project", "--format", "--out", "--filter", "--no-annotators")]
    [InlineData("project", "create", "list")]
    [InlineData("project create", "--name", "--taxonomy", "--description", "--overlap")]
    [InlineData("project list")]
    [InlineData("user", "add")]
    [InlineData("user add", "--email", "--name", "--project", "--role")]
    public async Task Help_EveryVerb_ExitsZero_AndNamesItsOptions(string verb, params string[] names)
    {
        var (code, stdout, stderr) = await RunAsync([.. verb.Split(' '), "--help"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Matches($@"Usage:\s+\S+ {verb}\b", stdout);
        Assert.All(names, name => Assert.Contains(name, stdout, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownVerb_ExitsTwo_NamingItAndTheVerbs()
    {
        var (code, stdout, stderr) = await RunAsync("reprot", "--project", "x");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("unknown command 'reprot'; the commands are migrate, agreement, import, export, report, project, user", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("export: Option '--out' is required.", "export", "--project", "p", "--format", "csv")]
    [InlineData("export: Argument 'xml' not recognized. Must be one of: 'labelstudio' 'jsonl' 'csv' 'conll' 'json-min' 'tsv' 'json'", "export", "--project", "p", "--format", "xml", "--out", "x")]
    [InlineData("user add: Argument 'boss' not recognized.", "user", "add", "--email", "a@b.c", "--name", "A", "--project", "p", "--role", "boss")]
    [InlineData("import: --map-question takes FROM=TO, not \"nothing\".", "import", "f.csv", "--project", "p", "--map-question", "nothing")]
    [InlineData("project create: Cannot parse argument 'two' for option '--overlap'", "project", "create", "--name", "n", "--overlap", "two")]
    [InlineData("project: Required command was not provided.", "project")]
    [InlineData("agreement: unexpected argument \"--Portal:X=1\"; the verb reads no configuration.", "agreement", "f.json", "--Portal:X=1")]
    public async Task ParseErrors_ExitTwo_WithOneLineNamingTheVerb(string expected, params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await PortalCommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
