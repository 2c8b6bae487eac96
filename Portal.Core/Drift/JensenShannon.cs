namespace Portal.Core.Drift;

/// <summary>
/// The Jensen-Shannon distance (Endres and Schindelin 2003): the square root of the Jensen-Shannon divergence
/// ½ KL(p‖m) + ½ KL(q‖m) with m = (p + q) / 2. In base 2 it lies in [0, 1]: 0 for the same distribution, 1 for
/// distributions with no category in common. It is symmetric and stays finite where one side has a zero, which is why
/// drift uses it next to the chi-square test: the test says whether a change is real, the distance how large it is.
/// Same definition as scipy.spatial.distance.jensenshannon.
/// </summary>
public static class JensenShannon
{
    /// <summary>The distance between two distributions given as counts or weights (each normalized to sum 1).</summary>
    public static double Distance(IReadOnlyList<double> p, IReadOnlyList<double> q, double logBase = 2)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        if (p.Count != q.Count)
        {
            throw new ArgumentException("Both distributions need a weight for each of the same categories.", nameof(q));
        }

        if (!(logBase > 0) || logBase == 1)
        {
            throw new ArgumentOutOfRangeException(nameof(logBase), "The logarithm's base must be positive and not 1.");
        }

        double sumP = Total(p, nameof(p)), sumQ = Total(q, nameof(q));
        var divergence = 0.0;
        for (var i = 0; i < p.Count; i++)
        {
            double pi = p[i] / sumP, qi = q[i] / sumQ, mi = (pi + qi) / 2;
            // 0 · log 0 = 0: a category missing on one side contributes only through the other.
            divergence += (pi > 0 ? pi * Math.Log(pi / mi) : 0) + (qi > 0 ? qi * Math.Log(qi / mi) : 0);
        }

        var distance = Math.Sqrt(Math.Max(0, divergence / 2 / Math.Log(logBase)));
        // Rounding may push identical-support extremes a hair past the bound of base 2.
        return logBase == 2 ? Math.Min(1, distance) : distance;
    }

    /// <inheritdoc cref="Distance(IReadOnlyList{double}, IReadOnlyList{double}, double)"/>
    public static double Distance(IReadOnlyList<long> p, IReadOnlyList<long> q, double logBase = 2) =>
        Distance([.. p.Select(v => (double)v)], [.. q.Select(v => (double)v)], logBase);

    private static double Total(IReadOnlyList<double> weights, string name)
    {
        if (weights.Any(w => !(w >= 0) || double.IsInfinity(w)))
        {
            throw new ArgumentException("Weights must be finite and zero or more.", name);
        }

        var total = weights.Sum();
        return total > 0 ? total : throw new ArgumentException("A distribution needs at least one positive weight.", name);
    }
}
