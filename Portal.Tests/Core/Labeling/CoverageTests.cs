using Portal.Core.ImportExport;
using Portal.Core.Labeling;

namespace Portal.Tests.Core.Labeling;

public class CoverageTests
{
    [Fact]
    public void TargetAnnotations_CoverageShareGetsTheOverlap_StablyByContent()
    {
        var hashes = Enumerable.Range(0, 10_000).Select(i => ContentHash.Of($"text {i}")).ToList();
        var covered = hashes.Count(h => Coverage.TargetAnnotations(h, 3, 30) == 3);

        Assert.InRange(covered, 2_700, 3_300);
        Assert.All(hashes, h => Assert.Contains(Coverage.TargetAnnotations(h, 3, 30), new[] { 1, 3 }));
        Assert.Equal(hashes.Select(h => Coverage.TargetAnnotations(h, 3, 30)), hashes.Select(h => Coverage.TargetAnnotations(h, 3, 30)));
    }

    [Fact]
    public void TargetAnnotations_FullCoverageAndGold_AlwaysGetTheOverlap()
    {
        var hash = ContentHash.Of("anything");
        Assert.Equal(2, Coverage.TargetAnnotations(hash, 2, 100));
        Assert.Equal(2, Coverage.TargetAnnotations(hash, 2, 1, isGold: true));
        Assert.Equal(1, Coverage.TargetAnnotations(hash, 1, 50));
    }
}
