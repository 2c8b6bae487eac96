using Portal.Tests.TestSupport;
using Portal.Web.Cli;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Reports;

/// <summary>The <c>report</c> verb on the demo project: the workbook the page makes, and a one-line error for each kind of bad input.</summary>
public sealed class ReportCommandTests
{
    private static string Today(int days = 0) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(days).ToString("yyyy-MM-dd");

    [Fact]
    public async Task Report_ByProjectName_WritesTheChosenSheets()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        var output = Path.Combine(database.Folder, "demo.xlsx");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await ReportCommand.RunAsync(
            ["--project", DemoSeeder.ProjectName, "--from", Today(-29), "--to", Today(), "--out", output, "--sheets", "summary,agreement", "--sheets", "detail",
                $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"], stdout, stderr);

        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("\"sheets\":[\"summary\",\"agreement\",\"detail\"]", stdout.ToString(), StringComparison.Ordinal);
        var book = await ExternalReaders.ReadAsync(output);
        Assert.Equal(["About", "Summary", "Agreement", "Detail"], book.GetProperty("sheets").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Theory]
    [InlineData("Nope", "2026-01-01", "2026-01-31", "ok", "There is no project \"Nope\"")]
    [InlineData(DemoSeeder.ProjectName, "01/02/2026", "2026-01-31", "ok", "--from takes a date as yyyy-MM-dd, not \"01/02/2026\"")]
    [InlineData(DemoSeeder.ProjectName, "2026-02-01", "2026-01-31", "ok", "must not lie before its first day")]
    [InlineData(DemoSeeder.ProjectName, "2026-01-01", "2026-01-31", "missing-folder", "Cannot write")]
    [InlineData(DemoSeeder.ProjectName, "2026-01-01", "2026-01-31", "ok", "There is no sheet \"charts\"", "charts")]
    public async Task Report_BadInput_SaysWhatIsWrongAndWritesNothing(string project, string from, string to, string folder, string error, string sheets = "summary")
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        var output = folder == "ok" ? Path.Combine(database.Folder, "bad.xlsx") : Path.Combine(database.Folder, folder, "bad.xlsx");
        using var stderr = new StringWriter();

        var code = await ReportCommand.RunAsync(
            ["--project", project, "--from", from, "--to", to, "--out", output, "--sheets", sheets, $"--ConnectionStrings:Portal=Data Source={database.Path}"], TextWriter.Null, stderr);

        Assert.Equal(2, code);
        Assert.StartsWith("report: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains(error, stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".partial"));
    }
}
