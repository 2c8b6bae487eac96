using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Web.Jobs;

namespace Portal.Web.ImportExport;

public enum ImportSourceKind
{
    Upload = 1,
    Url = 2,
    Blob = 3,
}

/// <summary>Where an import reads from: a file uploaded to the portal, an https address, or a container of a configured Azure storage account.</summary>
public sealed record ImportSource(ImportSourceKind Kind, Guid? UploadId = null, string? Url = null, string? Account = null, string? Container = null, string? Prefix = null)
{
    public string Describe() => Kind switch
    {
        ImportSourceKind.Url => Url ?? "",
        ImportSourceKind.Blob => $"{Account}: {Container}/{Prefix}".TrimEnd('/'),
        _ => "upload",
    };
}

public sealed record CustomMask(string Name, string Pattern);

/// <summary>Everything an import job needs, as stored with the job (so a restart can run it again): no secrets, no compiled regexes.</summary>
public sealed record ImportSpec(
    ImportSource Source, TaskFileFormat Format, CsvColumns? Csv = null, bool ImportValidRows = false, IReadOnlyList<string>? Mask = null,
    IReadOnlyList<CustomMask>? CustomMasks = null, ImportedAnnotations Annotations = ImportedAnnotations.Refuse, ImportMappings? Mappings = null,
    string? TextField = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The import options; an unknown masking rule or a pattern that does not compile is an error naming it.</summary>
    public ImportOptions ToOptions()
    {
        var rules = new List<PiiRule>();
        foreach (var name in Mask ?? [])
        {
            rules.Add(PiiMasking.Named(name));
        }

        foreach (var custom in CustomMasks ?? [])
        {
            rules.Add(PiiMasking.Custom(custom.Name, custom.Pattern));
        }

        return new ImportOptions(Format, Csv, ImportValidRows, rules, Annotations, Mappings, TextFields.Check(TextField));
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ImportSpec FromJson(string json) => JsonSerializer.Deserialize<ImportSpec>(json, Json)!;
}

/// <summary>A file uploaded for an import, kept until the import has used it (or for a day).</summary>
public sealed record StagedUpload(Guid Id, Guid ProjectId, Guid UserId, string Name, long Length, DateTime UploadedAt, TaskFileFormat Format, IReadOnlyList<string>? CsvHeader);

/// <summary>One import or export as the data page shows it; <c>RunsHere</c> when a runner in this process pushes its progress.</summary>
public sealed record DataJobView(
    Guid Id, RunKind Kind, RunState State, string Format, string Source, string CreatedBy, DateTime CreatedAt, DateTime? CompletedAt,
    long Processed, long Total, long Imported, long Duplicates, long Rejected, long BytesDone, long BytesTotal, string? Message, bool HasErrors, bool HasFile,
    ImportDecisions? Pending, ImportSpec? Import, ExportOptions? Export, bool RunsHere)
{
    public bool Active => State is RunState.Queued or RunState.Running;

    /// <summary>An import's warnings and Label Studio account; null when it had none to tell.</summary>
    public ImportReport? Report { get; init; }

    /// <summary>0–100 when it can be told, else null (an indeterminate bar).</summary>
    public double? Percent => State == RunState.Succeeded ? 100
        : Kind == RunKind.Export ? (Total > 0 ? Math.Min(100, 100.0 * Processed / Total) : null)
        : BytesTotal > 0 ? Math.Min(100, 100.0 * BytesDone / BytesTotal) : null;

    public long Withheld => Math.Max(0, Processed - Imported - Duplicates - Rejected);

    /// <summary>The same run with the progress a runner pushed (the rest changes only with its state).</summary>
    public DataJobView With(RunUpdate progress) => this with
    {
        Processed = progress.Processed, Total = progress.Total > 0 ? progress.Total : Total, BytesDone = progress.BytesDone,
        BytesTotal = progress.BytesTotal > 0 ? progress.BytesTotal : BytesTotal,
    };
}

public static class DataSizes
{
    /// <summary>A file size as people read it (B, KB, MB, GB).</summary>
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        < 1024L * 1024 * 1024 => $"{bytes / 1024.0 / 1024:0.#} MB",
        _ => $"{bytes / 1024.0 / 1024 / 1024:0.##} GB",
    };
}
