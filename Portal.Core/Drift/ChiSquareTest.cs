namespace Portal.Core.Drift;

/// <summary>A chi-square test's result; <see cref="DegreesOfFreedom"/> 0 means there was nothing to test (p = 1).</summary>
public sealed record ChiSquareResult(double Statistic, int DegreesOfFreedom, double PValue);

/// <summary>
/// Pearson's chi-square test of homogeneity (Pearson 1900; Agresti, Categorical Data Analysis, 3.2): do the rows of a
/// contingency table (here: a baseline window and a recent window) share one distribution over the columns (labels)?
/// No continuity correction, as in scipy's chi2_contingency for tables larger than 2×2.
/// </summary>
public static class ChiSquareTest
{
    /// <summary>The 2×k test of two count vectors over the same categories (same order, same length).</summary>
    public static ChiSquareResult Homogeneity(IReadOnlyList<long> baseline, IReadOnlyList<long> window) => Homogeneity([baseline, window]);

    /// <summary>
    /// The r×k test. Categories empty in every row and rows with no counts at all are dropped first (they carry no
    /// information and would divide by zero). When fewer than two rows or two categories remain, the degrees of
    /// freedom are 0 and there is no test: statistic 0, p = 1 (nothing says the distributions differ).
    /// </summary>
    public static ChiSquareResult Homogeneity(IReadOnlyList<IReadOnlyList<long>> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var width = table.Count == 0 ? 0 : table[0].Count;
        foreach (var row in table)
        {
            if (row.Count != width)
            {
                throw new ArgumentException("Every row needs a count for each of the same categories.", nameof(table));
            }

            if (row.Any(c => c < 0))
            {
                throw new ArgumentException("Counts cannot be negative.", nameof(table));
            }
        }

        var rows = table.Where(r => r.Sum() > 0).ToList();
        var columns = Enumerable.Range(0, width).Where(j => rows.Any(r => r[j] > 0)).ToList();
        var df = (rows.Count - 1) * (columns.Count - 1);
        if (df <= 0)
        {
            return new ChiSquareResult(0, 0, 1);
        }

        var rowTotals = rows.Select(r => (double)r.Sum()).ToList();
        var columnTotals = columns.Select(j => (double)rows.Sum(r => r[j])).ToList();
        var total = rowTotals.Sum();
        var statistic = 0.0;
        for (var i = 0; i < rows.Count; i++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var expected = rowTotals[i] * columnTotals[c] / total;
                var difference = rows[i][columns[c]] - expected;
                statistic += difference * difference / expected;
            }
        }

        return new ChiSquareResult(statistic, df, UpperTail(statistic, df));
    }

    /// <summary>P(X ≥ x) for X chi-square with <paramref name="degreesOfFreedom"/>: Q(df/2, x/2).</summary>
    public static double UpperTail(double x, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        return IncompleteGamma.UpperRegularized(degreesOfFreedom / 2.0, x / 2);
    }
}
