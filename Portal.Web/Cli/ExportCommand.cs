using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Data;
using Portal.Web.ImportExport;

namespace Portal.Web.Cli;

/// <summary>
/// <c>export --project ID|NAME --format labelstudio|jsonl|csv|conll --out FILE [--filter …] [--no-annotators]</c>.
/// The file is written beside its final name and moved into place at the end: it is complete or absent.
/// </summary>
public static class ExportCommand
{
    public const string Usage =
        "usage: export --project ID|NAME --format labelstudio|jsonl|csv|conll --out FILE [--filter all|submitted|accepted|ground-truth] [--no-annotators]";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        string? project = null, format = null, output = null, filter = null;
        var annotators = true;
        var rest = new List<string>();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new DataFormatException($"{args[i]} needs a value; {Usage}");
                switch (args[i])
                {
                    case "--project": project = Next(); break;
                    case "--format": format = Next(); break;
                    case "--out": output = Next(); break;
                    case "--filter": filter = Next(); break;
                    case "--no-annotators": annotators = false; break;
                    case var a when a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal): rest.Add(a); break;
                    default: throw new DataFormatException($"unexpected argument \"{args[i]}\"; {Usage}");
                }
            }

            if (project is null || format is null || output is null)
            {
                throw new DataFormatException(Usage);
            }

            var options = new ExportOptions(
                format switch
                {
                    "labelstudio" or "json" => ExportFormat.LabelStudioJson,
                    "jsonl" => ExportFormat.Jsonl,
                    "csv" => ExportFormat.Csv,
                    "conll" => ExportFormat.Conll,
                    _ => throw new DataFormatException($"unknown format \"{format}\"; {Usage}"),
                },
                filter switch
                {
                    null or "all" => ExportFilter.All,
                    "submitted" => ExportFilter.Submitted,
                    "accepted" => ExportFilter.ReviewedAccepted,
                    "ground-truth" => ExportFilter.GroundTruth,
                    _ => throw new DataFormatException($"unknown filter \"{filter}\"; {Usage}"),
                },
                annotators);

            using var host = CliDatabase.Build(rest);
            var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var (projectId, _) = await CliDatabase.ProjectAsync(factory, project, ct);
            var tasks = await new ExportService(factory).ExportToFileAsync(projectId, options, output, ct);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new { tasks, file = Path.GetFullPath(output), bytes = new FileInfo(output).Length }, Json));
            return 0;
        }
        catch (DataFormatException ex)
        {
            await stderr.WriteLineAsync($"export: {ex.Message}");
            return 2;
        }
    }
}
