using Portal.Core.Audits;

namespace Portal.Core.Drift;

/// <summary>Welch's test of a − b: the difference of means, t, the Welch–Satterthwaite degrees of freedom and the two-sided p-value.</summary>
public sealed record WelchResult(double MeanA, double MeanB, double T, double DegreesOfFreedom, double PValue);

/// <summary>
/// Welch's unequal-variances t-test (Welch 1947). Chosen for gold scores over Mann–Whitney: gold scores are fractions in
/// [0, 1] with many ties (perfect scores), which the rank test handles only through a tie correction, and an annotator's
/// recent and earlier windows differ in size and spread, which Welch's test allows without assuming equal variances.
/// The p-value is two-sided: P(|T| ≥ |t|) = I_{ν/(ν + t²)}(ν/2, 1/2), the regularized incomplete beta function.
/// </summary>
public static class WelchTTest
{
    /// <summary>
    /// Both samples need two values or more. When both have no spread at all, the test degenerates: equal means give
    /// p = 1, different means p = 0 (the difference is certain), and t is infinite.
    /// </summary>
    public static WelchResult Test(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count < 2 || b.Count < 2)
        {
            throw new ArgumentException("Each sample needs at least two values.", a.Count < 2 ? nameof(a) : nameof(b));
        }

        if (a.Concat(b).Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Values must be finite numbers.", nameof(a));
        }

        double meanA = a.Average(), meanB = b.Average();
        double va = Variance(a, meanA) / a.Count, vb = Variance(b, meanB) / b.Count;
        var se2 = va + vb;
        if (se2 == 0)
        {
            return meanA == meanB
                ? new WelchResult(meanA, meanB, 0, a.Count + b.Count - 2, 1)
                : new WelchResult(meanA, meanB, meanA > meanB ? double.PositiveInfinity : double.NegativeInfinity, a.Count + b.Count - 2, 0);
        }

        var t = (meanA - meanB) / Math.Sqrt(se2);
        var df = se2 * se2 / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        var p = Beta.Regularized(df / (df + t * t), df / 2, 0.5);
        return new WelchResult(meanA, meanB, t, df, Math.Clamp(p, 0, 1));
    }

    private static double Variance(IReadOnlyList<double> values, double mean) => values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
}
