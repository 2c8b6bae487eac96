using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Audits;
using Portal.Core.ImportExport;

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
    IReadOnlyList<CustomMask>? CustomMasks = null, ImportedAnnotations Annotations = ImportedAnnotations.Refuse, ImportMappings? Mappings = null)
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

        return new ImportOptions(Format, Csv, ImportValidRows, rules, Annotations, Mappings);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ImportSpec FromJson(string json) => JsonSerializer.Deserialize<ImportSpec>(json, Json)!;
}

/// <summary>A file uploaded for an import, kept until the import has used it (or for a day).</summary>
public sealed record StagedUpload(Guid Id, Guid ProjectId, Guid UserId, string Name, long Length, DateTime UploadedAt, TaskFileFormat Format, IReadOnlyList<string>? CsvHeader);

/// <summary>One import or export as the data page shows it.</summary>
public sealed record DataJobView(
    Guid Id, DataJobKind Kind, RunState State, string Format, string Source, string CreatedBy, DateTime CreatedAt, DateTime? CompletedAt,
    long Processed, long Total, long Imported, long Duplicates, long Rejected, long BytesDone, long BytesTotal, string? Message, bool HasErrors, bool HasFile,
    ImportDecisions? Pending, ImportSpec? Import, ExportOptions? Export)
{
    public bool Active => State is RunState.Queued or RunState.Running;

    /// <summary>0–100 when it can be told, else null (an indeterminate bar).</summary>
    public double? Percent => State == RunState.Succeeded ? 100
        : Kind == DataJobKind.Export ? (Total > 0 ? Math.Min(100, 100.0 * Processed / Total) : null)
        : BytesTotal > 0 ? Math.Min(100, 100.0 * BytesDone / BytesTotal) : null;

    public long Withheld => Math.Max(0, Processed - Imported - Duplicates - Rejected);
}
