using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Agreement;
using Portal.Core.ImportExport;

namespace Portal.Web.Cli;

/// <summary>
/// <c>agreement FILE [--format labelstudio|reliability-csv] [--level nominal|ordinal|interval|ratio]</c>: one JSON
/// object on stdout, nothing else; a one-line error on stderr and exit code 2 on bad input. No web server, no database.
/// </summary>
public static class AgreementCommand
{
    /// <summary>The verb on its own (as <c>agreement …</c> on the command line), for tests and scripts.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        PortalCommandLine.RunAsync(["agreement", .. args], stdout, stderr);

    internal static Command Create(CliContext cli)
    {
        var file = new Argument<string>("FILE") { Description = "A Label Studio JSON export, or a reliability CSV (unit, then one column per coder)." };
        var format = new Option<string?>("--format") { Description = "labelstudio or reliability-csv (default: by the file's extension)." };
        format.AcceptOnlyFromAmong("labelstudio", "reliability-csv");
        var level = new Option<string?>("--level") { Description = "For reliability CSV: nominal (default), ordinal, interval or ratio." };
        level.AcceptOnlyFromAmong("nominal", "ordinal", "interval", "ratio");
        var command = new Command("agreement", "Print the inter-annotator agreement of a Label Studio export or a reliability CSV as JSON. Needs no database.")
        {
            file, format, level,
        };
        command.SetCliAction((parse, stdout, stderr, _) => cli.Settings.Count > 0
            ? Refuse(stderr, cli.Settings[0])
            : RunAsync(parse.GetValue(file)!, parse.GetValue(format), parse.GetValue(level), stdout, stderr));
        return command;
    }

    private static async Task<int> Refuse(TextWriter stderr, string setting)
    {
        await stderr.WriteLineAsync($"agreement: unexpected argument \"{setting}\"; the verb reads no configuration.");
        return 2;
    }

    private static async Task<int> RunAsync(string file, string? format, string? levelName, TextWriter stdout, TextWriter stderr)
    {
        format ??= file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "reliability-csv" : "labelstudio";
        var level = Enum.Parse<MeasurementLevel>(levelName ?? "nominal", ignoreCase: true);
        if (format == "labelstudio" && levelName is not null)
        {
            await stderr.WriteLineAsync("agreement: --level applies to --format reliability-csv only (choices are nominal).");
            return 2;
        }

        try
        {
            JsonObject report;
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                if (format == "reliability-csv")
                {
                    using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, 1 << 16);
                    report = AgreementReport.ForReliabilityData(ReliabilityCsv.Read(reader, file), level);
                }
                else
                {
                    var export = LabelStudioReader.Read(stream, file);
                    foreach (var warning in export.Warnings)
                    {
                        await stderr.WriteLineAsync($"agreement: warning: {warning}");
                    }

                    report = AgreementReport.ForLabelStudio(export);
                }
            }

            await stdout.WriteLineAsync(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        catch (Exception ex) when (ex is DataFormatException or AgreementInputException)
        {
            await stderr.WriteLineAsync($"agreement: {OneLine(ex.Message)}");
            return 2;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"agreement: {file}: cannot be read ({OneLine(ex.Message)})");
            return 2;
        }
        catch (DecoderFallbackException)
        {
            await stderr.WriteLineAsync($"agreement: {file}: not valid UTF-8 text.");
            return 2;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
