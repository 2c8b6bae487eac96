using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Reports;
using Portal.Data;
using Portal.Web.Reports;

namespace Portal.Web.Cli;

/// <summary>
/// <c>report --project ID|NAME --from DATE --to DATE --out FILE.xlsx [--sheets summary,progress,…]</c>: the same workbook
/// as the Reports page (the same <see cref="ReportBuilder"/>), written beside its final name and moved into place at the
/// end, so the file is complete or absent. Prints a JSON summary.
/// </summary>
public static class ReportCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The sheets by the names the verb takes.</summary>
    private static readonly IReadOnlyDictionary<string, ReportPart> SheetNames = ReportDefinitions.All.ToDictionary(Name, p => p, StringComparer.OrdinalIgnoreCase);

    /// <summary>The verb on its own (as <c>report …</c> on the command line), for tests and scripts.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        PortalCommandLine.RunAsync(["report", .. args], stdout, stderr, ct);

    internal static Command Create(CliContext cli)
    {
        var project = CliOptions.Project();
        var from = new Option<string>("--from") { Description = "The first day of the report (yyyy-MM-dd, UTC).", Required = true, HelpName = "DATE" };
        var to = new Option<string>("--to") { Description = "The last day of the report, included (yyyy-MM-dd, UTC).", Required = true, HelpName = "DATE" };
        var output = new Option<string>("--out") { Description = "The .xlsx file to write.", Required = true, HelpName = "FILE.xlsx" };
        var sheets = new Option<string[]>("--sheets")
        {
            Description = $"The sheets (default: all): {string.Join(", ", SheetNames.Keys)}; comma-separated or repeated.",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("report", "Write a project's Excel report for a period; prints a JSON summary.") { project, from, to, output, sheets };
        command.SetCliAction(async (parse, stdout, _, ct) =>
        {
            var request = new ReportRequest(Day(parse.GetValue(from)!, "--from"), Day(parse.GetValue(to)!, "--to"), Parts(parse.GetValue(sheets)));
            var file = Path.GetFullPath(parse.GetValue(output)!);
            using var host = CliServices.Build(cli.Settings);
            var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var projectId = await CliServices.ProjectAsync(factory, parse.GetValue(project)!, ct);
            var actor = await CliServices.ProjectActorAsync(factory, projectId, ct);
            await using var scope = host.Services.CreateAsyncScope();
            var builder = scope.ServiceProvider.GetRequiredService<ReportBuilder>();
            // Everything that can be refused is checked before the work: the period and sheets, then the path.
            await builder.CheckAsync(actor, projectId, request, ct);
            var rows = await WriteAsync(file, () => builder.BuildAsync(actor, projectId, request, ct), ct);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new { file, bytes = new FileInfo(file).Length, rows, sheets = request.Parts.Select(Name) }, Json));
            return 0;
        });
        return command;
    }

    private static string Name(ReportPart part) => part == ReportPart.GuidelineGaps ? "guideline-gaps" : part.ToString().ToLowerInvariant();

    private static DateOnly Day(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new ValidationException(option, $"{option} takes a date as yyyy-MM-dd, not \"{text}\".");

    private static List<ReportPart> Parts(string[]? names)
    {
        var given = (names ?? []).SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (given.Count == 0)
        {
            return [.. ReportDefinitions.All];
        }

        return [.. given.Select(n => SheetNames.TryGetValue(n, out var part)
            ? part
            : throw new ValidationException("--sheets", $"There is no sheet \"{n}\"; the sheets are {string.Join(", ", SheetNames.Keys)}."))];
    }

    /// <summary>Into a temporary file beside the target, then moved over it: an interrupted run leaves no half workbook.</summary>
    private static async Task<long> WriteAsync(string file, Func<Task<WorkbookSpec>> build, CancellationToken ct)
    {
        var partial = file + ".partial";
        FileStream stream;
        try
        {
            stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ValidationException("--out", $"Cannot write {file}: {ex.Message}");
        }

        try
        {
            WorkbookSpec spec;
            await using (stream)
            {
                spec = await build();
                await WorkbookWriter.WriteAsync(spec, stream, null, ct);
            }

            File.Move(partial, file, overwrite: true);
            return spec.Detail?.Count ?? 0;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }
}
