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
}
