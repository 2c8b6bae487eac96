using Portal.Core.Drift;
using static Portal.Tests.Core.Drift.DriftReference;

namespace Portal.Tests.Core.Drift;

public class JensenShannonTests
{
    [Theory]
    [InlineData("scipy_disjoint_base2")]
    [InlineData("scipy_half_base_e")]
    [InlineData("scipy_identical")]
    public void Distance_MatchesScipysDocumentedValues(string id)
    {
        var c = Case("jensen_shannon.json", id);

        var distance = JensenShannon.Distance(Numbers(c.GetProperty("p")), Numbers(c.GetProperty("q")), c.GetProperty("base").GetDouble());

        Near(c.GetProperty("distance").GetDouble(), distance, c.GetProperty("tolerance").GetDouble(), id);
    }

    [Fact]
    public void Distance_OfCounts_NormalizesThem_AndIsSymmetric()
    {
        double[] p = [30, 10, 0, 60], q = [3, 1, 0, 6], r = [10, 50, 25, 15];

        Assert.Equal(0, JensenShannon.Distance(p, q), 1e-12);
        Assert.Equal(JensenShannon.Distance(p, r), JensenShannon.Distance(r, p), 1e-15);
        Assert.Equal(JensenShannon.Distance(p, r), JensenShannon.Distance([30L, 10, 0, 60], [10L, 50, 25, 15]), 1e-15);
    }

    [Fact]
    public void Distance_Base2_StaysWithinZeroAndOne_OverManyPairs()
    {
        var random = new Random(7);
        for (var n = 0; n < 500; n++)
        {
            var k = random.Next(1, 8);
            var p = Enumerable.Range(0, k).Select(_ => (double)random.Next(0, 50)).ToArray();
            var q = Enumerable.Range(0, k).Select(_ => (double)random.Next(0, 50)).ToArray();
            p[0] += 1;
            q[^1] += 1;

            Assert.InRange(JensenShannon.Distance(p, q), 0, 1);
        }
    }

    [Fact]
    public void Distance_RefusesAnEmptyDistribution_AndMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => JensenShannon.Distance([0.0, 0.0], [1.0, 0.0]));
        Assert.Throws<ArgumentException>(() => JensenShannon.Distance([1.0], [1.0, 0.0]));
        Assert.Throws<ArgumentException>(() => JensenShannon.Distance([-1.0, 2.0], [1.0, 0.0]));
    }
}
