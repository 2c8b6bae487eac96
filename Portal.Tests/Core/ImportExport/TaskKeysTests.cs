using System.Globalization;
using Portal.Core.ImportExport;

namespace Portal.Tests.Core.ImportExport;

public class TaskKeysTests
{
    [Fact]
    public void Candidates_AreTheTasksAddedWithTheKey_AndIdsAndHashesAreSeparate()
    {
        var keys = new TaskKeys();
        var hash = ContentHash.Of("My parcel never arrived.");
        keys.AddExternalId("a1", 41);
        keys.AddHash(hash, 41);
        keys.AddExternalId("new-1");

        Assert.Equal([41L], keys.ByExternalId("a1"));
        Assert.Empty(keys.ByExternalId("A1"));
        Assert.Equal([41L], keys.ByHash(hash));
        Assert.Empty(keys.ByHash(ContentHash.Of("My parcel never arrived!")));
        Assert.Equal([TaskKeys.Unwritten], keys.ByExternalId("new-1"));
        Assert.Empty(keys.ByExternalId("never"));
    }

    [Fact]
    public void CollidingKeys_AreAllCandidates_FirstAddedFirst_AcrossGrowth()
    {
        // Every key the same: the table must keep each one, in the order added, however it grows.
        var keys = new TaskKeys(_ => 7);
        for (var i = 1; i <= 3000; i++)
        {
            keys.AddExternalId($"id-{i}", i);
        }

        Assert.Equal(3000, keys.Count);
        Assert.Equal(Enumerable.Range(1, 3000).Select(i => (long)i), keys.ByExternalId("anything"));
    }

    [Fact]
    public void Written_FillsTheFirstUnwrittenSlotOfEachKey()
    {
        var keys = new TaskKeys(_ => 0);
        keys.AddHash(ContentHash.Of("old"), 5);
        keys.AddExternalId("x");
        keys.AddHash(ContentHash.Of("x text"));

        keys.Written("x", ContentHash.Of("x text"), 9);

        Assert.Equal([5L, 9L, 9L], keys.ByHash(ContentHash.Of("old")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_000)]
    public void ManyKeys_AreAllFound_AndUnknownOnesAreNot_GrownOrSizedAtOnce(int expected)
    {
        var keys = new TaskKeys(expected: expected);
        for (var i = 1; i <= 100_000; i++)
        {
            keys.AddExternalId($"msg-{i}", i);
        }

        Assert.All(Enumerable.Range(1, 100_000), i => Assert.Equal([(long)i], keys.ByExternalId($"msg-{i}")));
        Assert.Empty(keys.ByExternalId("msg-0"));
    }

    [Fact]
    public void Reserve_MakesRoomOnce_AndKeepsWhatWasThere_InOrder()
    {
        // "a", "b" and "h3" share a key (so their order is visible); every other key is its own.
        var keys = new TaskKeys(key => key is "a" or "b" or "h3" ? 42UL : 1000UL + ulong.Parse(key[1..], CultureInfo.InvariantCulture));
        keys.AddExternalId("a", 1);
        keys.AddHash("b", 2);

        keys.Reserve(50_000);
        var capacity = keys.Capacity;
        for (var i = 3; i < 50_000; i++)
        {
            keys.AddHash($"h{i}", i);
        }

        Assert.InRange(capacity, 50_000, 2 * 50_000);
        Assert.Equal(capacity, keys.Capacity);
        Assert.Equal([1L, 2L, 3L], keys.ByExternalId("a").Take(3));
        keys.Reserve(10);
        Assert.Equal(capacity, keys.Capacity);
    }
}
