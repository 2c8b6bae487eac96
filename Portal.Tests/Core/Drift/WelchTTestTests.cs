using Portal.Core.Drift;
using static Portal.Tests.Core.Drift.DriftReference;

namespace Portal.Tests.Core.Drift;

public class WelchTTestTests
{
    [Fact]
    public void Test_MatchesThePublishedExample()
    {
        const string id = "wikipedia_example_1";
        var c = Case("welch.json", id);

        var result = WelchTTest.Test(Numbers(c.GetProperty("a")), Numbers(c.GetProperty("b")));

        Near(c.GetProperty("t").GetDouble(), result.T, Tolerance(c, "t"), $"{id} t");
        Near(c.GetProperty("dof").GetDouble(), result.DegreesOfFreedom, Tolerance(c, "dof"), $"{id} df");
        Near(c.GetProperty("pvalue").GetDouble(), result.PValue, Tolerance(c, "pvalue"), $"{id} p");
    }

    [Fact]
    public void Test_SameSample_GivesPOne_AndSwappingNegatesT()
    {
        double[] a = [0.9, 0.8, 1.0, 0.7], b = [0.5, 0.6, 0.4, 0.55, 0.65];

        Assert.Equal(1, WelchTTest.Test(a, a).PValue, 1e-12);
        Assert.Equal(-WelchTTest.Test(a, b).T, WelchTTest.Test(b, a).T, 1e-12);
        Assert.Equal(WelchTTest.Test(a, b).PValue, WelchTTest.Test(b, a).PValue, 1e-12);
        Assert.InRange(WelchTTest.Test(a, b).PValue, 0, 0.01);
    }

    [Fact]
    public void Test_WithoutAnySpread_IsCertain()
    {
        Assert.Equal(1, WelchTTest.Test([1.0, 1.0], [1.0, 1.0, 1.0]).PValue);
        Assert.Equal(0, WelchTTest.Test([1.0, 1.0], [0.5, 0.5, 0.5]).PValue);
        Assert.Throws<ArgumentException>(() => WelchTTest.Test([1.0], [0.5, 0.5]));
    }
}
