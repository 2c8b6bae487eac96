using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Data;
using Portal.Web.ImportExport;

namespace Portal.Web.Cli;

/// <summary>
/// <c>import FILE --project ID|NAME [options]</c>: tasks into a project for pipelines. Prints one JSON summary on
/// stdout; exit code 0 when the import was committed (or had been already), 2 when nothing was imported.
/// </summary>
public static class ImportCommand
{
    public const string Usage =
        "usage: import FILE --project ID|NAME [--format jsonl|json|csv] [--text-column NAME] [--id-column NAME] [--metadata-columns A,B] " +
        "[--valid-rows] [--mask email,phone,iban,card] [--mask-pattern NAME=REGEX] [--annotations refuse|ground-truth]";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        string? file = null, project = null, format = null, textColumn = null, idColumn = null, metadataColumns = null;
        var validRows = false;
        var annotations = ImportedAnnotations.Refuse;
        var masking = new List<PiiRule>();
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
                    case "--text-column": textColumn = Next(); break;
                    case "--id-column": idColumn = Next(); break;
                    case "--metadata-columns": metadataColumns = Next(); break;
                    case "--valid-rows": validRows = true; break;
                    case "--annotations":
                        annotations = Next() switch
                        {
                            "refuse" => ImportedAnnotations.Refuse,
                            "ground-truth" => ImportedAnnotations.GroundTruth,
                            var other => throw new DataFormatException($"--annotations takes refuse or ground-truth, not \"{other}\"."),
                        };
                        break;
                    case "--mask":
                        foreach (var name in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            masking.Add(PiiMasking.BuiltIn.FirstOrDefault(r => r.Name == name)
                                ?? throw new DataFormatException($"--mask knows email, phone, iban and card, not \"{name}\"."));
                        }

                        break;
                    case "--mask-pattern":
                        var pattern = Next();
                        var equals = pattern.IndexOf('=', StringComparison.Ordinal);
                        masking.Add(equals > 0 ? PiiMasking.Custom(pattern[..equals], pattern[(equals + 1)..])
                            : throw new DataFormatException("--mask-pattern takes NAME=REGEX."));
                        break;
                    case var a when a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal):
                        rest.Add(a);
                        break;
                    case var a when !a.StartsWith("--", StringComparison.Ordinal) && file is null:
                        file = a;
                        break;
                    default:
                        throw new DataFormatException($"unexpected argument \"{args[i]}\"; {Usage}");
                }
            }

            if (file is null || project is null)
            {
                throw new DataFormatException(Usage);
            }

            if (!File.Exists(file))
            {
                throw new DataFormatException($"{file}: no such file.");
            }

            var fileFormat = (format ?? Path.GetExtension(file).TrimStart('.').ToLowerInvariant()) switch
            {
                "jsonl" or "ndjson" => TaskFileFormat.Jsonl,
                "json" => TaskFileFormat.JsonArray,
                "csv" => TaskFileFormat.Csv,
                var other => throw new DataFormatException($"{file}: unknown format \"{other}\"; pass --format jsonl, json or csv."),
            };
            var csv = fileFormat == TaskFileFormat.Csv
                ? new CsvColumns(textColumn ?? "text", metadataColumns?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), idColumn)
                : null;

            using var host = CliDatabase.Build(rest);
            var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var (projectId, ownerId) = await CliDatabase.ProjectAsync(factory, project, ct);

            // The same file with the same options into the same project is the same import: a rerun finds it done.
            string key;
            await using (var hashed = File.OpenRead(file))
            {
                var digest = await SHA256.HashDataAsync(hashed, ct);
                key = $"import:{projectId:N}:{Convert.ToHexStringLower(digest)}:{fileFormat}:{textColumn}:{idColumn}:{metadataColumns}:{validRows}:{annotations}:{string.Join("|", masking.Select(m => m.Name + "=" + m.Pattern))}";
                key = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
            }

            await using var stream = File.OpenRead(file);
            var summary = await new ImportService(factory, TimeProvider.System).RunAsync(
                projectId, ownerId, stream, Path.GetFileName(file), key,
                new ImportOptions(fileFormat, csv, validRows, masking, annotations),
                new StderrProgress(stderr), ct);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new
            {
                summary.JobId, summary.Read, summary.Imported, summary.Duplicates, summary.Rejected, summary.Withheld, summary.Committed, summary.AlreadyDone,
                Errors = summary.Errors.Select(e => new { e.Where, e.Field, e.Reason }),
            }, Json));
            return summary.Committed ? 0 : 2;
        }
        catch (DataFormatException ex)
        {
            await stderr.WriteLineAsync($"import: {ex.Message}");
            return 2;
        }
    }

    /// <summary>Progress on stderr, written at once (Progress&lt;T&gt; would post it later, after the command returned).</summary>
    private sealed class StderrProgress(TextWriter stderr) : IProgress<long>
    {
        public void Report(long value) => stderr.WriteLine($"import: {value:N0} rows read");
    }
}
