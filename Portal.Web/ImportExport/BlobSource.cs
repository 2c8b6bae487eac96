using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Portal.Core.ImportExport;

namespace Portal.Web.ImportExport;

/// <summary>One Azure storage account imports may read from, configured by an administrator.</summary>
public sealed class BlobAccountOptions
{
    /// <summary>A connection string (keep it in user secrets, environment variables or Key Vault, never in the repository).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Or an account or container URL with a SAS token.</summary>
    public string? SasUrl { get; set; }
}

public sealed class BlobSourceOptions
{
    public const string Section = "Portal:Import:Blob";

    /// <summary>Accounts by the name managers pick in the import form; nobody types credentials into the browser.</summary>
    public Dictionary<string, BlobAccountOptions> Accounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A file to import: its name for messages, its size when known, and how to open it.</summary>
public sealed record ImportFile(string Name, long? Length, Func<CancellationToken, Task<Stream>> OpenAsync);

/// <summary>
/// Lists the blobs of a container (under an optional prefix, in name order) of a configured account and opens each
/// as a stream, so a container of exported files imports as one job.
/// </summary>
public sealed class BlobSource(IOptions<BlobSourceOptions> options)
{
    public IReadOnlyList<string> AccountNames => [.. options.Value.Accounts.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    public async Task<IReadOnlyList<ImportFile>> ListAsync(string account, string container, string? prefix, CancellationToken ct)
    {
        var client = Container(account, container);
        var files = new List<ImportFile>();
        try
        {
            await foreach (var blob in client.GetBlobsAsync(new GetBlobsOptions { Prefix = string.IsNullOrWhiteSpace(prefix) ? null : prefix.Trim() }, ct))
            {
                if (blob.Properties.ContentLength is 0 && blob.Name.EndsWith('/'))
                {
                    continue;
                }

                var blobClient = client.GetBlobClient(blob.Name);
                files.Add(new ImportFile($"{container}/{blob.Name}", blob.Properties.ContentLength,
                    async token => await blobClient.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 << 20 }, token)));
            }
        }
        catch (RequestFailedException ex)
        {
            throw new DataFormatException($"Azure storage \"{account}\", container \"{container}\": {ex.Status} {ex.ErrorCode ?? FirstLine(ex.Message)}.");
        }

        if (files.Count == 0)
        {
            throw new DataFormatException($"Azure storage \"{account}\", container \"{container}\" has no files{(string.IsNullOrWhiteSpace(prefix) ? "" : $" under \"{prefix}\"")}.");
        }

        return [.. files.OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    private BlobContainerClient Container(string account, string container)
    {
        if (!options.Value.Accounts.TryGetValue(account, out var settings))
        {
            throw new DataFormatException($"There is no Azure storage account \"{account}\" configured for imports.");
        }

        if (string.IsNullOrWhiteSpace(container))
        {
            throw new DataFormatException("Name the container to import from.");
        }

        if (settings.ConnectionString is { Length: > 0 } connection)
        {
            return new BlobServiceClient(connection).GetBlobContainerClient(container.Trim());
        }

        if (settings.SasUrl is { Length: > 0 } sas)
        {
            var service = new BlobServiceClient(new Uri(sas));
            return service.GetBlobContainerClient(container.Trim());
        }

        throw new DataFormatException($"The Azure storage account \"{account}\" has neither a connection string nor a SAS URL configured.");
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
