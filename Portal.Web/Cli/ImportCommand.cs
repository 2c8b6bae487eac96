using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Web.ImportExport;

namespace Portal.Web.Cli;

/// <summary>
/// <c>import FILE --project ID|NAME [options]</c>: tasks into a project for pipelines, through the same import spec,
/// service call, runner and audit entry as the data page (the job runs here, at once, instead of in Hangfire). Prints
/// one JSON summary on stdout; exit code 0 when the import was committed (or had been already), 2 when nothing was imported.
/// </summary>
public static class ImportCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The verb on its own (as <c>import …</c> on the command line), for tests and scripts.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        PortalCommandLine.RunAsync(["import", .. args], stdout, stderr, ct);

    private sealed record Options(
        Argument<string> File, Option<string> Project, Option<string?> Format, Option<string?> TextColumn, Option<string?> IdColumn, Option<string?> MetadataColumns,
        Option<bool> ValidRows, Option<string?> Mask, Option<List<(string From, string To)>> MaskPatterns, Option<string> Annotations,
        Option<List<(string From, string To)>> MapQuestion, Option<List<(string From, string To)>> MapLabel, Option<List<(string From, string To)>> MapAnnotator,
        Option<string?> TextField, Option<string?> LabelConfig);

    internal static Command Create(CliContext cli)
    {
        var o = new Options(
            new Argument<string>("FILE") { Description = "A JSONL, JSON (Label Studio) or CSV file, or an https address." },
            CliOptions.Project(),
            new Option<string?>("--format") { Description = "jsonl, json or csv (default: by the file's extension)." },
            new Option<string?>("--text-column") { Description = "CSV: the column with the text (default: text)." },
            new Option<string?>("--id-column") { Description = "CSV: the column with each task's own id." },
            new Option<string?>("--metadata-columns") { Description = "CSV: columns kept as metadata, comma separated." },
            new Option<bool>("--valid-rows") { Description = "Import the good rows even when some are bad (default: all or nothing)." },
            new Option<string?>("--mask") { Description = "Mask personal data: email, phone, iban, card (comma separated)." },
            CliOptions.Pairs("--mask-pattern", "Mask text matching a pattern of your own: NAME=REGEX (repeatable)."),
            new Option<string>("--annotations") { Description = "Results in the file: refuse (default), ground-truth or annotations.", DefaultValueFactory = _ => "refuse" },
            CliOptions.Pairs("--map-question", "A question of the file under another name: FROM=TO (repeatable)."),
            CliOptions.Pairs("--map-label", "A label of the file onto one of the project: QUESTION:NAME=LABEL (repeatable)."),
            CliOptions.Pairs("--map-annotator", "An annotator of the file onto a portal user: FROM=EMAIL (repeatable)."),
            new Option<string?>("--text-field") { Description = "JSON: the data field with the text (default: text); every other field is kept." },
            new Option<string?>("--label-config") { Description = "JSON: a Label Studio labeling config (XML file); the text field is its <Text value=\"$field\">." });
        o.Annotations.AcceptOnlyFromAmong("refuse", "ground-truth", "annotations");
        o.Format.AcceptOnlyFromAmong("jsonl", "ndjson", "json", "csv");
        var command = new Command("import", "Import tasks into a project (Label Studio predictions become suggestions); prints a JSON summary.")
        {
            o.File, o.Project, o.Format, o.TextColumn, o.IdColumn, o.MetadataColumns, o.ValidRows, o.Mask, o.MaskPatterns, o.Annotations, o.MapQuestion, o.MapLabel, o.MapAnnotator,
            o.TextField, o.LabelConfig,
        };
        command.SetCliAction((parse, stdout, stderr, ct) => RunAsync(cli, parse, o, stdout, stderr, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, ParseResult parse, Options o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var file = parse.GetValue(o.File)!;
        var remote = file.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || file.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
        if (!remote && !File.Exists(file))
        {
            throw new DataFormatException($"{file}: no such file.");
        }

        var extension = Path.GetExtension(remote ? new Uri(file).AbsolutePath : file).TrimStart('.').ToLowerInvariant();
        var format = (parse.GetValue(o.Format) ?? extension) switch
        {
            "jsonl" or "ndjson" => TaskFileFormat.Jsonl,
            "json" => TaskFileFormat.JsonArray,
            "csv" => TaskFileFormat.Csv,
            var other => throw new DataFormatException($"{file}: unknown format \"{other}\"; pass --format jsonl, json or csv."),
        };
        var metadata = parse.GetValue(o.MetadataColumns);
        var csv = format == TaskFileFormat.Csv
            ? new CsvColumns(parse.GetValue(o.TextColumn) ?? "text", metadata?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), parse.GetValue(o.IdColumn))
            : null;

        using var host = CliServices.Build(cli.Settings, rows => stderr.WriteLineAsync($"import: {rows:N0} rows read"));
        var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var data = host.Services.GetRequiredService<DataJobService>();
        var projectId = await CliServices.ProjectAsync(factory, parse.GetValue(o.Project)!, ct);
        var actor = await CliServices.ProjectActorAsync(factory, projectId, ct);
        var spec = new ImportSpec(
            remote ? new ImportSource(ImportSourceKind.Url, Url: file) : new ImportSource(ImportSourceKind.Upload),
            format, csv, parse.GetValue(o.ValidRows),
            parse.GetValue(o.Mask)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            parse.GetValue(o.MaskPatterns)?.Select(p => new CustomMask(p.From, p.To)).ToList(),
            parse.GetValue(o.Annotations) switch { "ground-truth" => ImportedAnnotations.GroundTruth, "annotations" => ImportedAnnotations.Annotations, _ => ImportedAnnotations.Refuse },
            await MappingsAsync(factory, host.Services.GetRequiredService<LabelSetCache>(), projectId, parse.GetValue(o.MapQuestion) ?? [], parse.GetValue(o.MapLabel) ?? [], parse.GetValue(o.MapAnnotator) ?? [], ct),
            await TextFieldAsync(parse.GetValue(o.TextField), parse.GetValue(o.LabelConfig), ct));
        _ = spec.ToOptions();

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

        var requestKey = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"import:{projectId:N}:{content}:{(spec with { Source = new(spec.Source.Kind) }).ToJson()}")));
        var (view, alreadyDone) = await StartAsync(data, host.Services.GetRequiredService<DataFiles>(), actor, projectId, spec, file, remote, requestKey, ct);
        return await ReportAsync(data, actor, projectId, view, alreadyDone, stdout, stderr, ct);
    }

    /// <summary>
    /// Starts the import as the page does (a local file is staged as an upload first) and, the queue being this
    /// process, finds it finished. A rerun returns the job of the first run; a failed one runs again.
    /// </summary>
    private static async Task<(DataJobView View, bool AlreadyDone)> StartAsync(
        DataJobService data, DataFiles files, PortalPrincipal actor, Guid projectId, ImportSpec spec, string file, bool remote, string requestKey, CancellationToken ct)
    {
        StagedUpload? upload = null;
        if (!remote)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            upload = await data.UploadAsync(actor, projectId, Path.GetFileName(file), stream, ct);
            spec = spec with { Source = new ImportSource(ImportSourceKind.Upload, upload.Id) };
        }

        var jobId = await data.StartImportAsync(actor, projectId, spec, requestKey, ct);
        var view = await data.GetAsync(actor, projectId, jobId, ct);
        if (upload is null || view.Import?.Source.UploadId == upload.Id)
        {
            return (view, false);
        }

        files.DeleteUpload(upload.Id);
        if (view.State == RunState.Failed)
        {
            await data.RetryAsync(actor, projectId, jobId, ct);
            return (await data.GetAsync(actor, projectId, jobId, ct), false);
        }

        return (view, view.State == RunState.Succeeded);
    }

    private static async Task<int> ReportAsync(
        DataJobService data, PortalPrincipal actor, Guid projectId, DataJobView view, bool alreadyDone, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var committed = view.State == RunState.Succeeded;
        var errors = alreadyDone ? [] : await data.ErrorsAsync(actor, projectId, view.Id, ct);
        await stdout.WriteLineAsync(JsonSerializer.Serialize(new
        {
            JobId = view.Id, Read = view.Processed, view.Imported, view.Duplicates, view.Rejected, Withheld = alreadyDone ? 0 : view.Withheld, Committed = committed,
            AlreadyDone = alreadyDone, Errors = errors.Select(e => new { e.Where, e.Field, e.Reason }), Needed = view.Pending,
            Warnings = view.Report?.Warnings.Select(w => new { w.Where, w.Field, w.Reason }) ?? [], LabelStudio = view.Report?.Migration,
        }, Json));
        foreach (var line in view.Report?.Migration?.Lines() ?? [])
        {
            await stderr.WriteLineAsync($"import: {line}");
        }

        if (view.Report is { Warnings.Count: > 0 } report)
        {
            await stderr.WriteLineAsync($"import: {report.Warnings.Count:N0} warning(s), the first: {report.Warnings[0].Reason}");
        }

        if (view.Pending is { } needed)
        {
            await stderr.WriteLineAsync("import: the file uses names the project does not know; map them (--map-question, --map-label, --map-annotator) or add the labels to the label set: " +
                string.Join("; ", needed.Questions.Select(q => $"question {q.Name}").Concat(needed.Labels.Select(l => $"label {l.Question}:{l.Name}")).Concat(needed.Annotators.Select(a => $"annotator {a.Annotator}"))));
        }
        else if (view.Message is { } message)
        {
            // Why it failed, or (committed) what it warns about: long tasks.
            await stderr.WriteLineAsync($"import: {(committed ? "warning: " : "")}{PortalCommandLine.OneLine(message)}");
        }

        return committed ? 0 : 2;
    }

    /// <summary>The text field named, else the one a Label Studio labeling config reads; null for the default.</summary>
    private static async Task<string?> TextFieldAsync(string? field, string? configFile, CancellationToken ct)
    {
        if (field is not null || configFile is null)
        {
            return field;
        }

        if (!File.Exists(configFile))
        {
            throw new DataFormatException($"--label-config: {configFile}: no such file.");
        }

        try
        {
            return LabelStudioConfig.TextField(configFile, await File.ReadAllTextAsync(configFile, ct))
                ?? throw new DataFormatException($"--label-config: {configFile} has no <Text value=\"$field\"> to take the text field from.");
        }
        catch (FormatException ex)
        {
            throw new DataFormatException($"--label-config: {ex.Message}");
        }
    }

    /// <summary>The mapping options as the import takes them: labels by name in the project's current label set, people by e-mail.</summary>
    private static async Task<ImportMappings> MappingsAsync(IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets, Guid projectId, List<(string From, string To)> questions,
        List<(string From, string To)> labels, List<(string From, string Email)> annotators, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        var controls = await labelSets.GetAsync(db, versionId, ct);
        var labelMappings = labels.Select(m =>
        {
            var colon = m.From.IndexOf(':', StringComparison.Ordinal);
            var (question, name) = colon > 0 ? (m.From[..colon], m.From[(colon + 1)..]) : throw new DataFormatException($"--map-label takes QUESTION:NAME=LABEL, not \"{m.From}={m.To}\".");
            var control = controls.FirstOrDefault(c => c.Name == question) ?? throw new DataFormatException($"--map-label: the project has no question \"{question}\".");
            var label = control.Labels.FirstOrDefault(l => !l.IsDeprecated && (l.Name == m.To || l.Path == m.To))
                ?? throw new DataFormatException($"--map-label: \"{control.Prompt}\" has no label \"{m.To}\".");
            return new LabelMapping(question, name, label.Key);
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
}
