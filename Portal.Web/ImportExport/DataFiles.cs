using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Core.ImportExport;

namespace Portal.Web.ImportExport;

public sealed class DataFilesOptions
{
    public const string Section = "Portal:DataFiles";

    /// <summary>Where uploads wait for their import and exports wait for their download; relative to the content root.</summary>
    public string Path { get; set; } = "App_Data/data-files";

    public long MaxUploadMegabytes { get; set; } = 2048;

    /// <summary>Uploads and finished exports are deleted after this many hours.</summary>
    public int KeepHours { get; set; } = 72;
}

/// <summary>
/// The portal's files for imports and exports: uploads (with a small record of who uploaded what for which project)
/// and export results. An export is written to a ".partial" file and renamed when complete, so a download is the
/// whole file or nothing.
/// </summary>
public sealed class DataFiles(IOptions<DataFilesOptions> options, IHostEnvironment environment, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Root { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(environment.ContentRootPath, options.Value.Path));

    public long MaxUploadBytes => options.Value.MaxUploadMegabytes * 1024 * 1024;

    private string Uploads => Directory.CreateDirectory(System.IO.Path.Combine(Root, "uploads")).FullName;

    private string Exports => Directory.CreateDirectory(System.IO.Path.Combine(Root, "exports")).FullName;

    public string UploadPath(Guid id) => System.IO.Path.Combine(Uploads, $"{id:N}.data");

    public string ExportPath(Guid jobId, string extension) => System.IO.Path.Combine(Exports, $"{jobId:N}.{extension}");

    /// <summary>Copies an upload to disk as it arrives (never whole in memory); too large a file is refused and removed.</summary>
    public async Task<StagedUpload> SaveUploadAsync(Guid projectId, Guid userId, string fileName, Stream body, CancellationToken ct)
    {
        var name = CleanName(fileName);
        var id = Guid.CreateVersion7();
        var path = UploadPath(id);
        long length = 0;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    length += read;
                    if (length > MaxUploadBytes)
                    {
                        throw new DataFormatException($"{name} is larger than {options.Value.MaxUploadMegabytes:N0} MB, the most an upload may be; import it from Azure storage or a web address instead.");
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            if (length == 0)
            {
                throw new DataFormatException($"{name} is empty.");
            }

            var format = await GuessFormatAsync(path, name, ct);
            var upload = new StagedUpload(id, projectId, userId, name, length, clock.GetUtcNow().UtcDateTime, format,
                format == TaskFileFormat.Csv ? await CsvHeaderAsync(path, ct) : null);
            await File.WriteAllTextAsync(path + ".json", JsonSerializer.Serialize(upload, Json), ct);
            return upload;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The upload, when it exists and was made by this user for this project.</summary>
    public async Task<StagedUpload?> FindUploadAsync(Guid id, Guid projectId, CancellationToken ct)
    {
        var record = UploadPath(id) + ".json";
        if (!File.Exists(record))
        {
            return null;
        }

        var upload = JsonSerializer.Deserialize<StagedUpload>(await File.ReadAllTextAsync(record, ct), Json);
        return upload is not null && upload.ProjectId == projectId && File.Exists(UploadPath(id)) ? upload : null;
    }

    public void DeleteUpload(Guid id)
    {
        File.Delete(UploadPath(id));
        File.Delete(UploadPath(id) + ".json");
    }

    /// <summary>Removes uploads and exports older than <see cref="DataFilesOptions.KeepHours"/>, and partial files a crash left.</summary>
    public int DeleteExpired()
    {
        var before = clock.GetUtcNow().UtcDateTime.AddHours(-options.Value.KeepHours);
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(Uploads).Concat(Directory.EnumerateFiles(Exports)))
        {
            if (File.GetLastWriteTimeUtc(file) < before)
            {
                File.Delete(file);
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>JSONL, a JSON array or CSV, by the file's extension, else by its first character.</summary>
    public static async Task<TaskFileFormat> GuessFormatAsync(string path, string name, CancellationToken ct)
    {
        var extension = System.IO.Path.GetExtension(name).ToLowerInvariant();
        switch (extension)
        {
            case ".jsonl" or ".ndjson":
                return TaskFileFormat.Jsonl;
            case ".json":
                return TaskFileFormat.JsonArray;
            case ".csv":
                return TaskFileFormat.Csv;
        }

        await using var file = File.OpenRead(path);
        var buffer = new byte[512];
        var read = await file.ReadAsync(buffer, ct);
        var first = Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return first.StartsWith('[') ? TaskFileFormat.JsonArray : first.StartsWith('{') ? TaskFileFormat.Jsonl : TaskFileFormat.Csv;
    }

    /// <summary>The header row of a CSV file (its first record), for choosing the text and metadata columns.</summary>
    public static async Task<IReadOnlyList<string>?> CsvHeaderAsync(string path, CancellationToken ct)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var line = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } next)
        {
            line.Append(line.Length > 0 ? "\n" : "").Append(next);
            if (Csv.SplitRecord(line.ToString()) is { } fields)
            {
                return [.. fields.Select(f => f.Trim())];
            }

            if (line.Length > 1 << 20)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>A file name for display: no directories, no control characters, at most 200 characters.</summary>
    public static string CleanName(string name)
    {
        var clean = new string(System.IO.Path.GetFileName(name.Replace('\\', '/')).Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length == 0 ? "upload" : clean.Length > 200 ? clean[..200] : clean;
    }
}
