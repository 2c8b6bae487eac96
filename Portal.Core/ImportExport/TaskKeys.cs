using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.ImportExport;

/// <summary>
/// Duplicate detection in memory, so an import inserts without a lookup per row: external ids and content hashes
/// as 128-bit keys (the first half of a SHA-256, about 32 bytes a task). Add returns false for a key already there.
/// </summary>
public sealed class TaskKeys
{
    private readonly HashSet<UInt128> ids = [];
    private readonly HashSet<UInt128> hashes = [];

    public bool AddExternalId(string externalId) =>
        ids.Add(BinaryPrimitives.ReadUInt128BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(externalId))));

    /// <param name="contentHash">A <see cref="ContentHash"/> (hex; its first 32 digits are kept).</param>
    public bool AddHash(string contentHash) =>
        hashes.Add(UInt128.Parse(contentHash.AsSpan(0, 32), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}
