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
    public const string Usage = "usage: agreement FILE [--format labelstudio|reliability-csv] [--level nominal|ordinal|interval|ratio]";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? file = null, format = null, levelName = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--format" when i + 1 < args.Length:
                    format = args[++i];
                    break;
                case "--level" when i + 1 < args.Length:
                    levelName = args[++i];
                    break;
                case var a when !a.StartsWith("--", StringComparison.Ordinal) && file is null:
                    file = a;
                    break;
                default:
                    await stderr.WriteLineAsync($"agreement: unexpected argument \"{args[i]}\"; {Usage}");
                    return 2;
            }
        }

        if (file is null)
        {
            await stderr.WriteLineAsync($"agreement: no file given; {Usage}");
            return 2;
        }

        format ??= file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "reliability-csv" : "labelstudio";
        if (format is not ("labelstudio" or "reliability-csv"))
        {
            await stderr.WriteLineAsync($"agreement: unknown format \"{format}\"; use labelstudio or reliability-csv.");
            return 2;
        }

        if (!Enum.TryParse<MeasurementLevel>(levelName ?? "nominal", ignoreCase: true, out var level) || int.TryParse(levelName, out _))
        {
            await stderr.WriteLineAsync($"agreement: unknown level \"{levelName}\"; use nominal, ordinal, interval or ratio.");
            return 2;
        }

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
