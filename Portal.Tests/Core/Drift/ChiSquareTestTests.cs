using Portal.Core.Drift;
using static Portal.Tests.Core.Drift.DriftReference;

namespace Portal.Tests.Core.Drift;

public class ChiSquareTestTests
{
    [Theory]
    [InlineData("scipy_chi2_contingency_2x3")]
    [InlineData("agresti_party_identification_by_gender")]
    public void Homogeneity_MatchesThePublishedExample(string id)
    {
        var c = Case("chi_square.json", id);
        var rows = c.GetProperty("table").EnumerateArray().Select(r => (IReadOnlyList<long>)[.. r.EnumerateArray().Select(v => v.GetInt64())]).ToList();

        var result = ChiSquareTest.Homogeneity(rows[0], rows[1]);

        Near(c.GetProperty("statistic").GetDouble(), result.Statistic, Tolerance(c, "statistic"), $"{id} statistic");
        Assert.Equal(c.GetProperty("dof").GetInt32(), result.DegreesOfFreedom);
        if (c.TryGetProperty("pvalue", out var p))
        {
            Near(p.GetDouble(), result.PValue, Tolerance(c, "pvalue"), $"{id} p");
        }
        else
        {
            Assert.InRange(result.PValue, 0, c.GetProperty("pvalueBelow").GetDouble());
        }
    }

    [Fact]
    public void UpperTail_AtTheNistCriticalValues_GivesTheirTailProbabilities()
    {
        var table = File("chi_square.json").GetProperty("criticalValues");
        // The table rounds x to 3 decimals, which moves these tail probabilities by at most about 3 parts in 10,000.
        var relative = table.GetProperty("relativeTolerance").GetDouble();
        foreach (var row in table.GetProperty("rows").EnumerateArray())
        {
            var alpha = row.GetProperty("upperTail").GetDouble();
            var p = ChiSquareTest.UpperTail(row.GetProperty("x").GetDouble(), row.GetProperty("dof").GetInt32());
            Near(alpha, p, alpha * relative, $"df {row.GetProperty("dof")} at {row.GetProperty("x")}");
        }
    }

    [Theory]
    [InlineData(2, 1380.0)]
    [InlineData(2, 40.0)]
    [InlineData(4, 1370.0)]
    [InlineData(10, 1300.0)]
    [InlineData(20, 7.5)]
    [InlineData(20, 60.0)]
    public void UpperTail_EvenDegrees_MatchesTheClosedForm_DownTo1e300(int df, double x)
    {
        // For even df = 2k, Q(k, y) = e^{-y} Σ_{j<k} y^j / j! exactly (the Poisson sum), computed here in logs.
        var y = x / 2;
        var terms = Enumerable.Range(0, df / 2).Select(j => j * Math.Log(y) - LogFactorial(j)).ToList();
        var max = terms.Max();
        var expected = Math.Exp(-y + max + Math.Log(terms.Sum(t => Math.Exp(t - max))));

        var p = ChiSquareTest.UpperTail(x, df);

        Assert.True(expected > 1e-305, $"the case must stay inside double range, got {expected}");
        Assert.True(Math.Abs(p - expected) <= 1e-10 * expected, $"df {df}, x {x}: expected {expected:R}, got {p:R}");
    }

    [Fact]
    public void Homogeneity_SameProportions_GivesStatisticZero_AndPOne()
    {
        var result = ChiSquareTest.Homogeneity([10, 20, 30], [20, 40, 60]);

        Assert.Equal(0, result.Statistic, 1e-12);
        Assert.Equal(2, result.DegreesOfFreedom);
        Assert.Equal(1, result.PValue, 1e-12);
    }

    [Fact]
    public void Homogeneity_DropsCategoriesEmptyInBoth_AndWithOneCategoryLeftThereIsNoTest()
    {
        var withEmpty = ChiSquareTest.Homogeneity([10, 0, 20], [20, 0, 20]);
        var without = ChiSquareTest.Homogeneity([10, 20], [20, 20]);
        var single = ChiSquareTest.Homogeneity([5, 0], [9, 0]);
        var emptyWindow = ChiSquareTest.Homogeneity([5, 3], [0, 0]);

        Assert.Equal(without, withEmpty);
        Assert.Equal(new ChiSquareResult(0, 0, 1), single);
        Assert.Equal(new ChiSquareResult(0, 0, 1), emptyWindow);
    }

    [Fact]
    public void Homogeneity_RefusesMismatchedOrNegativeCounts()
    {
        Assert.Throws<ArgumentException>(() => ChiSquareTest.Homogeneity([1, 2], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => ChiSquareTest.Homogeneity([1, -2], [1, 2]));
    }

    [Fact]
    public void PValue_StaysInTheUnitInterval_OverManyTables()
    {
        var random = new Random(14);
        for (var n = 0; n < 500; n++)
        {
            var k = random.Next(2, 9);
            var a = Enumerable.Range(0, k).Select(_ => (long)random.Next(0, 400)).ToList();
            var b = Enumerable.Range(0, k).Select(_ => (long)random.Next(0, 400)).ToList();

            var result = ChiSquareTest.Homogeneity(a, b);

            Assert.InRange(result.PValue, 0, 1);
            Assert.True(result.Statistic >= 0);
        }
    }

    private static double LogFactorial(int n) => Enumerable.Range(2, Math.Max(0, n - 1)).Sum(i => Math.Log(i));
}
