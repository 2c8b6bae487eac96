using System.IO.Compression;
using Portal.Core.ImportExport;

namespace Portal.Web.ImportExport;

/// <summary>
/// Decompresses a gzip, deflate or Brotli response body itself (not the HTTP handler), so both ends are seen: it stops with a
/// clear message when the body grows past <paramref name="maxBytes"/>, or past <paramref name="maxRatio"/> times what came over
/// the wire once a megabyte has come out (a "zip bomb": 0.4 MB that unpacks to gigabytes).
/// </summary>
internal sealed class DecompressionGuard : Stream
{
    private const long RatioCheckedAfter = 1024 * 1024;
    private readonly ReadOnlyStream compressed;
    private readonly Stream decompressed;
    private readonly long maxBytes;
    private readonly int maxRatio;
    private readonly string host;
    private long wire;
    private long produced;

    private DecompressionGuard(Stream body, string encoding, long maxBytes, int maxRatio, string host)
    {
        compressed = new ReadOnlyStream(body, n => wire += n);
        decompressed = encoding switch
        {
            "gzip" or "x-gzip" => new GZipStream(compressed, CompressionMode.Decompress),
            "deflate" => new ZLibStream(compressed, CompressionMode.Decompress),
            "br" => new BrotliStream(compressed, CompressionMode.Decompress),
            _ => throw new DataFormatException($"{host} sent the file in an encoding Portal cannot read ({encoding})."),
        };
        (this.maxBytes, this.maxRatio, this.host) = (maxBytes, maxRatio, host);
    }

    /// <summary>The body as sent, or decompressed and guarded when the server compressed it.</summary>
    public static Stream Wrap(Stream body, ICollection<string> contentEncoding, long maxBytes, int maxRatio, string host) =>
        contentEncoding.Count switch
        {
            0 => body,
            1 => new DecompressionGuard(body, contentEncoding.Single().Trim().ToLowerInvariant(), maxBytes, maxRatio, host),
            _ => throw new DataFormatException($"{host} compressed the file several times ({string.Join(", ", contentEncoding)}); Portal reads one compression."),
        };

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Check(decompressed.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Check(await decompressed.ReadAsync(buffer, cancellationToken));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Check(await decompressed.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    private int Check(int read)
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

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            decompressed.Dispose();
        }

        base.Dispose(disposing);
    }
}
