namespace Portal.Core.Drift;

/// <summary>One point of an EWMA chart; all null on a day without a value (the chart skips it).</summary>
public sealed record EwmaPoint(double? Value, double? Smoothed, double? Lower, double? Upper);

/// <summary>An EWMA chart: every point, the center line μ0 and σ it was drawn with, and whether the latest value fell below the band.</summary>
public sealed record EwmaChartResult(IReadOnlyList<EwmaPoint> Points, double Center, double Sigma, double Lambda, double Width, int BaselinePoints)
{
    /// <summary>The last point that has a value (null when none has).</summary>
    public EwmaPoint? Latest => Points.LastOrDefault(p => p.Smoothed is not null);

    public bool LatestBelowLower => Latest is { Smoothed: { } z, Lower: { } low } && z < low;
}

/// <summary>
/// The exponentially weighted moving average control chart (Roberts 1959; Montgomery, Introduction to Statistical
/// Quality Control, 9.2; NIST/SEMATECH e-Handbook 6.3.2.4): z_i = λ x_i + (1 − λ) z_{i−1} from z_0 = μ0, with the exact,
/// time-varying limits μ0 ± L σ sqrt(λ / (2 − λ) · (1 − (1 − λ)^{2i})), which start narrow and widen to the asymptotic
/// band, so an early point is judged fairly. A missing value (null) is skipped: it neither moves z nor counts in i.
/// </summary>
public static class EwmaChart
{
    /// <summary>The chart with a known center μ0 and process standard deviation σ.</summary>
    public static EwmaChartResult Draw(IReadOnlyList<double?> values, double lambda, double width, double center, double sigma) =>
        Draw(values, lambda, width, center, sigma, 0);

    /// <summary>
    /// The chart with μ0 and σ estimated from its own beginning: the mean and the sample standard deviation (n − 1) of
    /// the first <paramref name="baselinePoints"/> values that are present. σ = 0 (a flat baseline) gives a band of
    /// zero width: any later fall below the baseline's level is outside it.
    /// </summary>
    public static EwmaChartResult FromBaseline(IReadOnlyList<double?> values, double lambda, double width, int baselinePoints)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(baselinePoints, 2);
        var baseline = values.Where(v => v is not null).Select(v => v!.Value).Take(baselinePoints).ToList();
        if (baseline.Count < baselinePoints)
        {
            throw new ArgumentException($"The baseline needs {baselinePoints} values; the series has {baseline.Count}.", nameof(values));
        }

        var mean = baseline.Average();
        var sigma = Math.Sqrt(baseline.Sum(v => (v - mean) * (v - mean)) / (baseline.Count - 1));
        return Draw(values, lambda, width, mean, sigma, baselinePoints);
    }

    private static EwmaChartResult Draw(IReadOnlyList<double?> values, double lambda, double width, double center, double sigma, int baselinePoints)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(lambda > 0 && lambda <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), "λ must lie in (0, 1].");
        }

        if (!(width > 0) || double.IsInfinity(width))
        {
            throw new ArgumentOutOfRangeException(nameof(width), "The limit width L must be a positive number.");
        }

        if (!(sigma >= 0) || double.IsInfinity(sigma) || !double.IsFinite(center))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), "The center must be finite and σ finite and zero or more.");
        }

        var points = new List<EwmaPoint>(values.Count);
        var z = center;
        var i = 0;
        foreach (var value in values)
        {
            if (value is not { } x || !double.IsFinite(x))
            {
                points.Add(new EwmaPoint(null, null, null, null));
                continue;
            }

            i++;
            z = lambda * x + (1 - lambda) * z;
            var half = width * sigma * Math.Sqrt(lambda / (2 - lambda) * (1 - Math.Pow(1 - lambda, 2 * i)));
            points.Add(new EwmaPoint(x, z, center - half, center + half));
        }

        return new EwmaChartResult(points, center, sigma, lambda, width, baselinePoints);
    }
}
