namespace Portal.Core.Agreement;

public sealed record ConfidenceInterval(double? Low, double? High, int Iterations, double Level);

/// <summary>Percentile bootstrap over units, seeded so the same data gives the same interval.</summary>
public static class Bootstrap
{
    /// <summary>
    /// Resamples <paramref name="units"/> indexes with replacement <paramref name="iterations"/> times and returns the
    /// percentile interval of <paramref name="statistic"/>. Undefined samples are skipped; if more than half are
    /// undefined the interval is undefined.
    /// </summary>
    public static ConfidenceInterval Percentile(int units, Func<int[], double?> statistic, int iterations = 1000, double level = 0.95, int seed = 20261122)
    {
        if (units <= 0 || iterations <= 0)
        {
            return new ConfidenceInterval(null, null, iterations, level);
        }

        var random = new Random(seed);
        var sample = new int[units];
        var values = new List<double>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            for (var u = 0; u < units; u++)
            {
                sample[u] = random.Next(units);
            }

            if (statistic(sample) is { } value && double.IsFinite(value))
            {
                values.Add(value);
            }
        }

        if (values.Count * 2 < iterations)
        {
            return new ConfidenceInterval(null, null, iterations, level);
        }

        values.Sort();
        return new ConfidenceInterval(Quantile(values, (1 - level) / 2), Quantile(values, 1 - ((1 - level) / 2)), iterations, level);
    }

    /// <summary>Krippendorff's alpha with a bootstrap interval over units.</summary>
    public static ConfidenceInterval KrippendorffAlpha(ReliabilityData data, MeasurementLevel level, int iterations = 1000, double confidence = 0.95, int seed = 20261122) =>
        Percentile(data.UnitCount, sample => CodingAgreement.KrippendorffAlpha(data.Resample(sample), level).Alpha, iterations, confidence, seed);

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
