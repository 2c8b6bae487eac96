using Portal.Core.ImportExport;

namespace Portal.Tests.Core.ImportExport;

public class TaskKeysTests
{
    [Fact]
    public void Add_IsFalseForAKeyAlreadyThere_AndIdsAndHashesAreSeparate()
    {
        var keys = new TaskKeys();
        var hash = ContentHash.Of("My parcel never arrived.");

        Assert.True(keys.AddExternalId("a1"));
        Assert.False(keys.AddExternalId("a1"));
        Assert.True(keys.AddExternalId("A1"));
        Assert.True(keys.AddHash(hash));
        Assert.False(keys.AddHash(hash));
        Assert.True(keys.AddHash(ContentHash.Of("My parcel never arrived!")));
    }

    [Fact]
    public void ExistingTasks_AreFoundByIdOrHash_AndKeysOfThisImportFindNone()
    {
        var keys = new TaskKeys();
        var hash = ContentHash.Of("The courier left it in the rain.");
        keys.AddExternalId("ls-7", 41);
        keys.AddHash(hash, 41);
        keys.AddExternalId("new-1");

        Assert.Equal(41, keys.ExistingByExternalId("ls-7"));
        Assert.Equal(41, keys.ExistingByHash(hash));
        Assert.Equal(0, keys.ExistingByExternalId("new-1"));
        Assert.Equal(0, keys.ExistingByExternalId("never"));
        // A later add does not take the key from the task that has it.
        Assert.False(keys.AddHash(hash));
        Assert.Equal(41, keys.ExistingByHash(hash));
    }
}
