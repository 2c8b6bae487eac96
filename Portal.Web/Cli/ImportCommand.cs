using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
        "[--valid-rows] [--mask email,phone,iban,card] [--mask-pattern NAME=REGEX] [--annotations refuse|ground-truth|annotations] " +
        "[--map-question FROM=TO] [--map-label QUESTION:NAME=LABEL] [--map-annotator FROM=EMAIL]; FILE may be an https address";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        string? file = null, project = null, format = null, textColumn = null, idColumn = null, metadataColumns = null;
        var validRows = false;
        var annotations = ImportedAnnotations.Refuse;
        var masking = new List<PiiRule>();
        var rest = new List<string>();
        var questionMaps = new List<(string From, string To)>();
        var labelMaps = new List<(string Question, string Name, string To)>();
        var annotatorMaps = new List<(string From, string Email)>();
        static (string, string) Pair(string value, string option) => value.IndexOf('=', StringComparison.Ordinal) is > 0 and var i && i < value.Length - 1
            ? (value[..i].Trim(), value[(i + 1)..].Trim())
            : throw new DataFormatException($"{option} takes FROM=TO, not \"{value}\".");
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
                            "annotations" => ImportedAnnotations.Annotations,
                            var other => throw new DataFormatException($"--annotations takes refuse, ground-truth or annotations, not \"{other}\"."),
                        };
                        break;
                    case "--map-question":
                        questionMaps.Add(Pair(Next(), "--map-question"));
                        break;
                    case "--map-annotator":
                        annotatorMaps.Add(Pair(Next(), "--map-annotator"));
                        break;
                    case "--map-label":
                        var (from, to) = Pair(Next(), "--map-label");
                        var colon = from.IndexOf(':', StringComparison.Ordinal);
                        labelMaps.Add(colon > 0 ? (from[..colon], from[(colon + 1)..], to) : throw new DataFormatException($"--map-label takes QUESTION:NAME=LABEL, not \"{from}={to}\"."));
                        break;
                    case "--mask":
                        foreach (var name in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            masking.Add(PiiMasking.Named(name));
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

            var remote = file.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || file.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
            if (!remote && !File.Exists(file))
            {
                throw new DataFormatException($"{file}: no such file.");
            }

            var extension = Path.GetExtension(remote ? new Uri(file).AbsolutePath : file).TrimStart('.').ToLowerInvariant();
            var fileFormat = (format ?? extension) switch
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
            var mappings = await MappingsAsync(factory, projectId, questionMaps, labelMaps, annotatorMaps, ct);

            // The same file with the same options into the same project is the same import: a rerun finds it done.
            string content;
            if (remote)
            {
                content = file;
            }
            else
            {
                await using var hashed = File.OpenRead(file);
                content = Convert.ToHexStringLower(await SHA256.HashDataAsync(hashed, ct));
            }

            var key = $"import:{projectId:N}:{content}:{fileFormat}:{textColumn}:{idColumn}:{metadataColumns}:{validRows}:{annotations}:{string.Join("|", masking.Select(m => m.Name + "=" + m.Pattern))}:{JsonSerializer.Serialize(mappings)}";
            key = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

            using var urls = new UrlSource(Options.Create(host.Services.GetRequiredService<IConfiguration>().GetSection(UrlSourceOptions.Section).Get<UrlSourceOptions>() ?? new UrlSourceOptions()));
            var (stream, sourceName) = remote ? await OpenRemoteAsync(urls, file, ct) : (File.OpenRead(file), Path.GetFileName(file));
            await using var _ = stream;
            var summary = await host.Services.GetRequiredService<ImportService>().RunAsync(
                projectId, ownerId, stream, sourceName, key,
                new ImportOptions(fileFormat, csv, validRows, masking, annotations, mappings),
                new StderrProgress(stderr), ct);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new
            {
                summary.JobId, summary.Read, summary.Imported, summary.Duplicates, summary.Rejected, summary.Withheld, summary.Committed, summary.AlreadyDone,
                Errors = summary.Errors.Select(e => new { e.Where, e.Field, e.Reason }),
                summary.Needed,
            }, Json));
            if (summary.Needed is { } needed)
            {
                await stderr.WriteLineAsync("import: the file uses names the project does not know; map them (--map-question, --map-label, --map-annotator) or add the labels to the label set: " +
                    string.Join("; ", needed.Questions.Select(q => $"question {q.Name}").Concat(needed.Labels.Select(l => $"label {l.Question}:{l.Name}")).Concat(needed.Annotators.Select(a => $"annotator {a.Annotator}"))));
            }

            return summary.Committed ? 0 : 2;
        }
        catch (Exception ex) when (ex is DataFormatException or UrlRefusedException)
        {
            await stderr.WriteLineAsync($"import: {ex.Message}");
            return 2;
        }
    }

    private static async Task<(Stream, string)> OpenRemoteAsync(UrlSource urls, string url, CancellationToken ct)
    {
        var (body, _, name) = await urls.OpenAsync(url, ct);
        return (body, name);
    }

    /// <summary>The mapping options as the import takes them: labels by name in the project's current label set, people by e-mail.</summary>
    private static async Task<ImportMappings> MappingsAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId, List<(string From, string To)> questions,
        List<(string Question, string Name, string To)> labels, List<(string From, string Email)> annotators, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        var controls = await new LabelSetCache().GetAsync(db, versionId, ct);
        var labelMappings = labels.Select(m =>
        {
            var control = controls.FirstOrDefault(c => c.Name == m.Question) ?? throw new DataFormatException($"--map-label: the project has no question \"{m.Question}\".");
            var label = control.Labels.FirstOrDefault(l => !l.IsDeprecated && (l.Name == m.To || l.Path == m.To))
                ?? throw new DataFormatException($"--map-label: \"{control.Prompt}\" has no label \"{m.To}\".");
            return new LabelMapping(m.Question, m.Name, label.Key);
        }).ToList();
        var people = new List<AnnotatorMapping>();
        foreach (var (from, email) in annotators)
        {
            var id = await db.Users.Where(u => u.Email == email).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct)
                ?? throw new DataFormatException($"--map-annotator: there is no user with the e-mail {email}.");
            people.Add(new AnnotatorMapping(from, id));
        }

        return new ImportMappings([.. questions.Select(q => new QuestionMapping(q.From, q.To))], labelMappings, people);
    }

    /// <summary>Progress on stderr, written at once (Progress&lt;T&gt; would post it later, after the command returned).</summary>
    private sealed class StderrProgress(TextWriter stderr) : IProgress<long>
    {
        public void Report(long value) => stderr.WriteLine($"import: {value:N0} rows read");
    }
}
