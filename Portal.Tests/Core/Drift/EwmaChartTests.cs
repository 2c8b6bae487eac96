using Portal.Core.Drift;
using static Portal.Tests.Core.Drift.DriftReference;

namespace Portal.Tests.Core.Drift;

public class EwmaChartTests
{
    [Fact]
    public void Draw_NistExample_GivesItsEwmaValues_AndItsLimits()
    {
        var c = Case("ewma.json", "nist_6_3_2_4");
        var data = Numbers(c.GetProperty("data"));
        var expected = Numbers(c.GetProperty("ewma"));

        var chart = EwmaChart.Draw([.. data.Select(v => (double?)v)], c.GetProperty("lambda").GetDouble(), c.GetProperty("width").GetDouble(),
            c.GetProperty("center").GetDouble(), c.GetProperty("sigma").GetDouble());

        for (var i = 0; i < data.Length; i++)
        {
            Near(expected[i], chart.Points[i].Smoothed!.Value, Tolerance(c, "ewma"), $"EWMA {i + 1}");
        }

        // The handbook gives the asymptotic limits; after 20 points the exact ones differ from them by (0.7)^40 ≈ 6e-7 relative.
        Near(c.GetProperty("ucl").GetDouble(), chart.Points[^1].Upper!.Value, Tolerance(c, "limits"), "UCL");
        Near(c.GetProperty("lcl").GetDouble(), chart.Points[^1].Lower!.Value, Tolerance(c, "limits"), "LCL");
        Assert.False(chart.LatestBelowLower);
    }

    [Fact]
    public void Draw_LimitsStartNarrow_AndWidenTowardsTheAsymptoticBand()
    {
        var chart = EwmaChart.Draw([.. Enumerable.Repeat((double?)1.0, 10)], 0.3, 3, 1, 0.1);

        // First point: L σ sqrt(λ / (2 − λ) · (1 − (1 − λ)^2)) = 3 · 0.1 · sqrt(0.3 / 1.7 · 0.51) = 0.09 exactly.
        Assert.Equal(1 - 0.09, chart.Points[0].Lower!.Value, 1e-12);
        var widths = chart.Points.Select(p => p.Upper!.Value - p.Lower!.Value).ToList();
        Assert.Equal(widths.Order(), widths);
    }

    [Fact]
    public void Draw_SkipsMissingDays_WithoutMovingTheAverageOrTheLimits()
    {
        var full = EwmaChart.Draw([0.8, 0.9, 0.7], 0.3, 3, 0.8, 0.05);
        var gappy = EwmaChart.Draw([0.8, null, null, 0.9, null, 0.7], 0.3, 3, 0.8, 0.05);

        Assert.Equal(6, gappy.Points.Count);
        Assert.Equal(new EwmaPoint(null, null, null, null), gappy.Points[1]);
        Assert.Equal([full.Points[0], full.Points[1], full.Points[2]], [gappy.Points[0], gappy.Points[3], gappy.Points[5]]);
        Assert.Equal(full.Latest, gappy.Latest);
    }

    [Fact]
    public void FromBaseline_EstimatesCenterAndSigmaFromTheFirstPoints_AndFlagsADrop()
    {
        double?[] series = [0.80, 0.82, 0.78, 0.81, 0.79, 0.80, 0.81, 0.79, 0.60, 0.55, 0.50];

        var chart = EwmaChart.FromBaseline(series, 0.3, 3, 8);

        Assert.Equal(0.8, chart.Center, 1e-12);
        // Sample standard deviation of the first eight values: sqrt(0.0012 / 7).
        Assert.Equal(Math.Sqrt(0.0012 / 7), chart.Sigma, 1e-12);
        Assert.True(chart.LatestBelowLower);
        Assert.False(EwmaChart.FromBaseline(series[..8], 0.3, 3, 8).LatestBelowLower);
    }

    [Fact]
    public void FromBaseline_RefusesTooShortASeries_AndBadParameters()
    {
        Assert.Throws<ArgumentException>(() => EwmaChart.FromBaseline([0.8, null, 0.7], 0.3, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => EwmaChart.Draw([0.8], 0, 3, 0.8, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EwmaChart.Draw([0.8], 0.3, -1, 0.8, 0.1));
    }
}
