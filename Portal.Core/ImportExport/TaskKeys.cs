using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.ImportExport;

/// <summary>
/// Duplicate candidates in memory, so an import inserts without a lookup per new row: every external id and content
/// hash of the project's tasks and of the tasks the import adds, as a 32-bit fingerprint with the id of the task that
/// has it, in an open-addressing table (12 bytes a slot; dictionaries of 128-bit keys took about 50 a key, and twice
/// that while they grew). A fingerprint is only a candidate: different ids or texts may share one, so the import
/// confirms a candidate against what its task stores, and a collision never drops or merges a task. 32 bits keep
/// those confirmations rare: at three million keys fewer than one lookup in a thousand meets a stranger's.
/// </summary>
public sealed class TaskKeys
{
    /// <summary>The task id of a key whose task is not written yet (<see cref="Written"/> replaces it).</summary>
    public const long Unwritten = 0;

    /// <summary>The table doubles beyond this share of used slots, so probe runs stay short (after doubling 60 % are free).</summary>
    private const double MaxLoad = 0.8;

    private readonly Func<string, ulong> idKey;
    private readonly Func<string, ulong> hashKey;

    /// <summary>Fingerprints by slot, 0 for an empty slot; <see cref="taskIds"/> holds each slot's task.</summary>
    private uint[] fingerprints;
    private long[] taskIds;
    private int count;

    /// <param name="keyOf">The 64-bit key of an external id or content hash; by default the first 64 bits of a SHA-256 of the id and of the hash itself (a test seam for collisions).</param>
    /// <param name="expected">
    /// The keys about to be added (a project's): the table is made that large at once rather than doubled a dozen times,
    /// each old table left to the garbage collector as large-object garbage while the next is filled.
    /// </param>
    public TaskKeys(Func<string, ulong>? keyOf = null, int expected = 0)
    {
        idKey = keyOf ?? IdKey;
        hashKey = keyOf ?? HashKey;
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, Math.Ceiling(expected / MaxLoad)));
        fingerprints = new uint[slots];
        taskIds = new long[slots];
    }

    /// <summary>How many keys the table holds (a key added twice counts twice).</summary>
    public int Count => count;

    /// <summary>How many keys the table holds before it next grows.</summary>
    public int Capacity => (int)(MaxLoad * fingerprints.Length);

    /// <summary>
    /// Makes room for <paramref name="keys"/> keys in all at once, when an import learns how many rows its file has
    /// (doubling late holds the old table and one twice its size together: the import's peak).
    /// </summary>
    public void Reserve(int keys)
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Ceiling(keys / MaxLoad));
        if (slots > fingerprints.Length)
        {
            Resize(slots);
        }
    }

    /// <summary>Adds an external id; a key already there is added again, since it may stand for another id.</summary>
    /// <param name="taskId">The task with this id, or <see cref="Unwritten"/>.</param>
    public void AddExternalId(string externalId, long taskId = Unwritten) => Add(idKey(externalId), taskId);

    /// <summary>Adds a <see cref="ContentHash"/>; a key already there is added again, since it may stand for another text.</summary>
    /// <param name="taskId">The task with this text, or <see cref="Unwritten"/>.</param>
    public void AddHash(string contentHash, long taskId = Unwritten) => Add(hashKey(contentHash), taskId);

    /// <summary>The tasks that may have this external id, first added first; empty when none has.</summary>
    public IReadOnlyList<long> ByExternalId(string externalId) => Candidates(idKey(externalId));

    /// <summary>The tasks that may have this text (its <see cref="ContentHash"/>), first added first; empty when none has.</summary>
    public IReadOnlyList<long> ByHash(string contentHash) => Candidates(hashKey(contentHash));

    /// <summary>Records the task written for an unwritten external id or content hash, so later candidates can be confirmed in the database.</summary>
    public void Written(string? externalId, string contentHash, long taskId)
    {
        if (externalId is not null)
        {
            SetWritten(idKey(externalId), taskId);
        }

        SetWritten(hashKey(contentHash), taskId);
    }

    private static ulong IdKey(string externalId) => BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)));

    private static ulong HashKey(string contentHash) => ulong.Parse(contentHash.AsSpan(0, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Both halves of the key folded; 0 marks an empty slot, so a fingerprint of 0 is kept as 1 (one more candidate to confirm, nothing lost).</summary>
    private static uint Fingerprint(ulong key)
    {
        var folded = (uint)(key ^ (key >> 32));
        return folded == 0 ? 1 : folded;
    }

    /// <summary>The home slot: the top bits of the fingerprint times a Fibonacci constant, so even a poor injected key spreads.</summary>
    private static int Home(uint fingerprint, int slots) => (int)((fingerprint * 0x9E3779B9u) >> (32 - BitOperations.Log2((uint)slots)));

    private void Add(ulong key, long taskId)
    {
        if (count + 1 > MaxLoad * fingerprints.Length)
        {
            Grow();
        }

        Insert(fingerprints, taskIds, Fingerprint(key), taskId);
        count++;
    }

    private static void Insert(uint[] intoFingerprints, long[] intoTaskIds, uint fingerprint, long taskId)
    {
        var mask = intoFingerprints.Length - 1;
        var slot = Home(fingerprint, intoFingerprints.Length);
        while (intoFingerprints[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        intoFingerprints[slot] = fingerprint;
        intoTaskIds[slot] = taskId;
    }

    private void Grow() => Resize(fingerprints.Length * 2);

    /// <summary>
    /// Moves the table into <paramref name="bigger"/> slots. The old slots are moved starting after an empty one, so no
    /// probe run wraps around while moving and keys that share a fingerprint keep the order they were added in (the first
    /// one added is confirmed first).
    /// </summary>
    private void Resize(int bigger)
    {
        var slots = fingerprints.Length;
        var biggerFingerprints = new uint[bigger];
        var biggerTaskIds = new long[bigger];
        var start = Array.IndexOf(fingerprints, 0u);
        for (var i = 1; i <= slots; i++)
        {
            var slot = (start + i) % slots;
            if (fingerprints[slot] != 0)
            {
                Insert(biggerFingerprints, biggerTaskIds, fingerprints[slot], taskIds[slot]);
            }
        }

        (fingerprints, taskIds) = (biggerFingerprints, biggerTaskIds);
    }

    private IReadOnlyList<long> Candidates(ulong key)
    {
        var fingerprint = Fingerprint(key);
        var mask = fingerprints.Length - 1;
        List<long>? found = null;
        for (var slot = Home(fingerprint, fingerprints.Length); fingerprints[slot] != 0; slot = (slot + 1) & mask)
        {
            if (fingerprints[slot] == fingerprint)
            {
                (found ??= []).Add(taskIds[slot]);
            }
        }

        return found ?? (IReadOnlyList<long>)[];
    }

    private void SetWritten(ulong key, long taskId)
    {
        var fingerprint = Fingerprint(key);
        var mask = fingerprints.Length - 1;
        for (var slot = Home(fingerprint, fingerprints.Length); fingerprints[slot] != 0; slot = (slot + 1) & mask)
        {
            if (fingerprints[slot] == fingerprint && taskIds[slot] == Unwritten)
            {
                taskIds[slot] = taskId;
                return;
            }
        }
    }
}
