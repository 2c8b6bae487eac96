using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.ImportExport;

/// <summary>
/// Duplicate detection in memory, so an import inserts without a lookup per row: external ids and content hashes
/// as 128-bit keys (the first half of a SHA-256, about 40 bytes a task), each with the id of the task already in the
/// project that has it (0 for a key this import added), so a re-import can add annotations to that task.
/// Add returns false for a key already there.
/// </summary>
public sealed class TaskKeys
{
    private readonly Dictionary<UInt128, long> ids = [];
    private readonly Dictionary<UInt128, long> hashes = [];

    /// <param name="taskId">The task already in the project with this id; 0 for a task this import adds.</param>
    public bool AddExternalId(string externalId, long taskId = 0) => ids.TryAdd(IdKey(externalId), taskId);

    /// <param name="contentHash">A <see cref="ContentHash"/> (hex; its first 32 digits are kept).</param>
    /// <param name="taskId">The task already in the project with this text; 0 for a task this import adds.</param>
    public bool AddHash(string contentHash, long taskId = 0) => hashes.TryAdd(HashKey(contentHash), taskId);

    /// <summary>The task already in the project with this external id; 0 when there is none (or it came with this import).</summary>
    public long ExistingByExternalId(string externalId) => ids.GetValueOrDefault(IdKey(externalId));

    /// <summary>The task already in the project with this text; 0 when there is none (or it came with this import).</summary>
    public long ExistingByHash(string contentHash) => hashes.GetValueOrDefault(HashKey(contentHash));

    private static UInt128 IdKey(string externalId) => BinaryPrimitives.ReadUInt128BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)));

    private static UInt128 HashKey(string contentHash) => UInt128.Parse(contentHash.AsSpan(0, 32), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
