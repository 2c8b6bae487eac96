using System.Text.Json;
using Portal.Core.Audits;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audits;

public class ProportionsTests
{
    public static TheoryData<string> Cases() => [.. Reference().RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Wilson_MatchesNewcombe1998(string id)
    {
        var (x, n, expected, tolerance) = Case(id, "wilson");

        var interval = Proportions.Wilson(x, n);

        Assert.Equal(expected.Low, interval.Low, tolerance);
        Assert.Equal(expected.High, interval.High, tolerance);
        Assert.Equal(Proportions.WilsonName, interval.Method);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ClopperPearson_MatchesNewcombe1998(string id)
    {
        var (x, n, expected, tolerance) = Case(id, "clopperPearson");

        var interval = Proportions.ClopperPearson(x, n);

        Assert.Equal(expected.Low, interval.Low, tolerance);
        Assert.Equal(expected.High, interval.High, tolerance);
    }

    [Theory]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.5, 0)]
    [InlineData(0.025, -1.959963984540054)]
    [InlineData(0.995, 2.5758293035489004)]
    [InlineData(1e-10, -6.361340902404056)]
    public void NormalQuantile_MatchesTables(double p, double z) => Assert.Equal(z, Normal.Quantile(p), 1e-9);

    [Fact]
    public void Intervals_AtTheEdges_TouchZeroAndOne()
    {
        Assert.Equal((0.0, 1.0), (Proportions.Wilson(0, 5).Low, Proportions.Wilson(5, 5).High));
        Assert.Equal((0.0, 1.0), (Proportions.ClopperPearson(0, 5).Low, Proportions.ClopperPearson(5, 5).High));
        Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.Wilson(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.Wilson(0, 0));
    }

    private static JsonDocument Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "Portal.Tests", "Core", "Audits", "Reference", "proportion_intervals.json")));

    private static (int X, int N, (double Low, double High) Expected, double Tolerance) Case(string id, string method)
    {
        using var doc = Reference();
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        var bounds = c.GetProperty(method).EnumerateArray().Select(b => b.GetDouble()).ToArray();
        return (c.GetProperty("successes").GetInt32(), c.GetProperty("trials").GetInt32(), (bounds[0], bounds[1]), doc.RootElement.GetProperty("tolerance").GetDouble());
    }
}
