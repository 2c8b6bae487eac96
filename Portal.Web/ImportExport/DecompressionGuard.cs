using System.IO.Compression;
using Portal.Core.ImportExport;

namespace Portal.Web.ImportExport;

/// <summary>
/// Decompresses a gzip, deflate or Brotli response body itself (not the HTTP handler), so both ends are seen: reading stops
/// with a clear message when the body grows past its byte limit, or past a ratio of what came over the wire once a megabyte
/// has come out (a "zip bomb": 0.4 MB that unpacks to gigabytes).
/// </summary>
internal sealed class DecompressionGuard
{
    private const long RatioCheckedAfter = 1024 * 1024;
    private readonly long maxBytes;
    private readonly int maxRatio;
    private readonly string host;
    private long wire;
    private long produced;

    private DecompressionGuard(long maxBytes, int maxRatio, string host) => (this.maxBytes, this.maxRatio, this.host) = (maxBytes, maxRatio, host);

    /// <summary>The body as sent, or decompressed and guarded when the server compressed it.</summary>
    public static Stream Wrap(Stream body, ICollection<string> contentEncoding, long maxBytes, int maxRatio, string host)
    {
        if (contentEncoding.Count == 0)
        {
            return body;
        }

        if (contentEncoding.Count > 1)
        {
            throw new DataFormatException($"{host} compressed the file several times ({string.Join(", ", contentEncoding)}); Portal reads one compression.");
        }

        var guard = new DecompressionGuard(maxBytes, maxRatio, host);
        var compressed = new ReadOnlyStream(body, n => guard.wire += n);
        Stream decompressed = contentEncoding.Single().Trim().ToLowerInvariant() switch
        {
            "gzip" or "x-gzip" => new GZipStream(compressed, CompressionMode.Decompress),
            "deflate" => new ZLibStream(compressed, CompressionMode.Decompress),
            "br" => new BrotliStream(compressed, CompressionMode.Decompress),
            var other => throw new DataFormatException($"{host} sent the file in an encoding Portal cannot read ({other})."),
        };
        return new ReadOnlyStream(decompressed, guard.Check);
    }

    private void Check(long read)
    {
        produced += read;
        if (produced > maxBytes)
        {
            throw new DataFormatException($"The file from {host} unpacks to more than {maxBytes / 1024 / 1024:N0} MB, the most an import may be.");
        }

        if (produced > RatioCheckedAfter && produced > (long)maxRatio * Math.Max(1, wire))
        {
            throw new DataFormatException(
                $"The file from {host} unpacks to more than {maxRatio} times its compressed size; Portal stops there, as text files never compress that well.");
        }
    }
}
