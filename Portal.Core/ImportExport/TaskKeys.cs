using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.ImportExport;

/// <summary>
/// Duplicate candidates in memory, so an import inserts without a lookup per new row: every external id and content
/// hash of the project's tasks and of the tasks the import adds, as a 64-bit key with the id of the task that has it,
/// in one open-addressing table of longs (16 bytes a key; dictionaries of 128-bit keys took about three times that,
/// and doubled again while they grew). A key is only a candidate: different ids or texts may share one, so the import
/// confirms a candidate against what its task stores, and a collision never drops or merges a task.
/// </summary>
public sealed class TaskKeys
{
    /// <summary>The task id of a key whose task is not written yet (<see cref="Written"/> replaces it).</summary>
    public const long Unwritten = 0;

    /// <summary>Keys are kept while at most this share of the slots is used: short probes, a quarter to half left free.</summary>
    private const double MaxLoad = 0.8;

    private readonly Func<string, ulong> idKey;
    private readonly Func<string, ulong> hashKey;

    /// <summary>Slot i is <c>table[2i]</c> (the key, 0 for an empty slot) and <c>table[2i + 1]</c> (the task id): one cache line a probe.</summary>
    private long[] table = new long[2 * 1024];
    private int count;

    /// <param name="keyOf">The 64-bit key of an external id or content hash; by default the first 64 bits of a SHA-256 of the id and of the hash itself (a test seam for collisions).</param>
    public TaskKeys(Func<string, ulong>? keyOf = null)
    {
        idKey = keyOf ?? IdKey;
        hashKey = keyOf ?? HashKey;
    }

    /// <summary>How many keys the table holds (a key added twice counts twice).</summary>
    public int Count => count;

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

    /// <summary>0 marks an empty slot, so a key of 0 is kept as 1 (one more candidate to confirm, nothing lost).</summary>
    private static long Stored(ulong key) => key == 0 ? 1 : (long)key;

    private void Add(ulong key, long taskId)
    {
        if (count + 1 > MaxLoad * (table.Length / 2))
        {
            Grow();
        }

        Insert(table, Stored(key), taskId);
        count++;
    }

    private void Insert(long[] into, long key, long taskId)
    {
        var mask = (into.Length / 2) - 1;
        var slot = Home(key, into);
        while (into[2 * slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        into[2 * slot] = key;
        into[(2 * slot) + 1] = taskId;
    }

    /// <summary>The home slot: the top bits of the key times a Fibonacci constant, so even a poor injected key spreads.</summary>
    private static int Home(long key, long[] into) =>
        (int)((ulong)key * 0x9E3779B97F4A7C15UL >> (64 - BitOperations.Log2((uint)(into.Length / 2))));

    /// <summary>
    /// Doubles the table. The old slots are moved starting after an empty one, so no probe run wraps around while moving
    /// and keys that share a value keep the order they were added in (the first one added is confirmed first).
    /// </summary>
    private void Grow()
    {
        var old = table;
        var slots = old.Length / 2;
        var bigger = new long[old.Length * 2];
        var start = 0;
        while (old[2 * start] != 0)
        {
            start++;
        }

        for (var i = 1; i <= slots; i++)
        {
            var slot = (start + i) % slots;
            if (old[2 * slot] != 0)
            {
                Insert(bigger, old[2 * slot], old[(2 * slot) + 1]);
            }
        }

        table = bigger;
    }

    private IReadOnlyList<long> Candidates(ulong value)
    {
        var key = Stored(value);
        var mask = (table.Length / 2) - 1;
        List<long>? found = null;
        for (var slot = Home(key, table); table[2 * slot] != 0; slot = (slot + 1) & mask)
        {
            if (table[2 * slot] == key)
            {
                (found ??= []).Add(table[(2 * slot) + 1]);
            }
        }

        return found ?? (IReadOnlyList<long>)[];
    }

    private void SetWritten(ulong value, long taskId)
    {
        var key = Stored(value);
        var mask = (table.Length / 2) - 1;
        for (var slot = Home(key, table); table[2 * slot] != 0; slot = (slot + 1) & mask)
        {
            if (table[2 * slot] == key && table[(2 * slot) + 1] == Unwritten)
            {
                table[(2 * slot) + 1] = taskId;
                return;
            }
        }
    }
}
