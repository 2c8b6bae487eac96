using System.CommandLine;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Data;
using Portal.Web.ImportExport;

namespace Portal.Web.Cli;

/// <summary>
/// <c>export --project ID|NAME --format labelstudio|jsonl|csv|conll|json-min|tsv --out FILE [--filter …] [--no-annotators] [--conll-unannotated]</c>.
/// The file is written beside its final name and moved into place at the end: it is complete or absent.
/// </summary>
public static class ExportCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The verb on its own (as <c>export …</c> on the command line), for tests and scripts.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        PortalCommandLine.RunAsync(["export", .. args], stdout, stderr, ct);

    internal static Command Create(CliContext cli)
    {
        var project = CliOptions.Project();
        var format = new Option<string>("--format") { Description = "labelstudio (or json), jsonl, csv, conll, json-min or tsv (Label Studio's JSON-MIN and TSV).", Required = true };
        format.AcceptOnlyFromAmong([.. ExportFormats.All.Select(f => f.Key), "json"]);
        var output = new Option<string>("--out") { Description = "The file to write.", Required = true };
        var filter = new Option<string>("--filter") { Description = "Which results: all (default), submitted, accepted or ground-truth.", DefaultValueFactory = _ => "all" };
        filter.AcceptOnlyFromAmong("all", "submitted", "accepted", "ground-truth");
        var noAnnotators = new Option<bool>("--no-annotators") { Description = "Leave out who labeled what." };
        var unannotated = new Option<bool>("--conll-unannotated") { Description = "CoNLL only: also write each task without results, every token tagged O (as Label Studio's converter does)." };
        var command = new Command("export", "Export a project's tasks and results to a file; prints a JSON summary.") { project, format, output, filter, noAnnotators, unannotated };
        command.SetCliAction(async (parse, stdout, _, ct) =>
        {
            var options = new ExportOptions(
                parse.GetValue(format) is "json" ? ExportFormat.LabelStudioJson : ExportFormats.ByKey(parse.GetValue(format)!)!.Format,
                parse.GetValue(filter) switch
                {
                    "submitted" => ExportFilter.Submitted,
                    "accepted" => ExportFilter.ReviewedAccepted,
                    "ground-truth" => ExportFilter.GroundTruth,
                    _ => ExportFilter.All,
                },
                !parse.GetValue(noAnnotators),
                UnannotatedAsO: parse.GetValue(unannotated));
            var file = parse.GetValue(output)!;
            using var host = CliServices.Build(cli.Settings);
            var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var projectId = await CliServices.ProjectAsync(factory, parse.GetValue(project)!, ct);
            var tasks = await host.Services.GetRequiredService<ExportService>().ExportToFileAsync(projectId, options, file, ct);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new { tasks, file = Path.GetFullPath(file), bytes = new FileInfo(file).Length }, Json));
            return 0;
        });
        return command;
    }
}
