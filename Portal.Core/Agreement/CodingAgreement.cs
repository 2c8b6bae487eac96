namespace Portal.Core.Agreement;

/// <summary>Krippendorff's alpha with its parts. Null figures are undefined for the data (never NaN).</summary>
public sealed record AlphaResult(double? Alpha, double? ObservedDisagreement, double? ExpectedDisagreement, double PairableValues);

public sealed record CohenResult(int Units, double? PercentAgreement, double? ExpectedAgreement, double? Kappa);

public sealed record FleissResult(double? Kappa, double PBar, double PE, IReadOnlyList<double> CategoryShares, IReadOnlyList<double> UnitAgreement);

public sealed record PairwiseAgreement(string A, string B, int N, double? PercentAgreement, double? CohenKappa);

/// <summary>
/// Agreement measures for coded units (document-level answers): one pass over the data builds the coincidence
/// matrix (Krippendorff 2011), everything else is arithmetic on category counts. Linear in units.
/// </summary>
public static class CodingAgreement
{
    /// <summary>The coincidence matrix o[c,k] (flattened) and n, the number of pairable values.</summary>
    public static (double[] Coincidences, double Pairable) Coincidences(ReliabilityData data)
    {
        var k = data.Categories.Count;
        var width = data.CoderCount;
        var o = new double[k * k];
        var codes = data.Codes;
        Span<int> present = stackalloc int[Math.Min(width, 256)];
        var buffer = width <= 256 ? present : new int[width];
        double n = 0;
        for (var start = 0; start < codes.Length; start += width)
        {
            var m = 0;
            for (var i = 0; i < width; i++)
            {
                var code = codes[start + i];
                if (code >= 0)
                {
                    buffer[m++] = code;
                }
            }

            if (m < 2)
            {
                continue;
            }

            var weight = 1.0 / (m - 1);
            for (var i = 0; i < m; i++)
            {
                var row = buffer[i] * k;
                for (var j = 0; j < m; j++)
                {
                    if (i != j)
                    {
                        o[row + buffer[j]] += weight;
                    }
                }
            }

            n += m;
        }

        return (o, n);
    }

    public static AlphaResult KrippendorffAlpha(ReliabilityData data, MeasurementLevel level)
    {
        var (o, n) = Coincidences(data);
        return KrippendorffAlpha(o, n, data, level);
    }

    internal static AlphaResult KrippendorffAlpha(double[] o, double n, ReliabilityData data, MeasurementLevel level)
    {
        var k = data.Categories.Count;
        if (n < 2)
        {
            return new AlphaResult(null, null, null, n);
        }

        var marginals = new double[k];
        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < k; j++)
            {
                marginals[c] += o[(c * k) + j];
            }
        }

        var delta = Distances(data, level, marginals);
        double observed = 0, expected = 0;
        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < k; j++)
            {
                var d = delta[(c * k) + j];
                if (d != 0)
                {
                    observed += o[(c * k) + j] * d;
                    expected += marginals[c] * marginals[j] * d;
                }
            }
        }

        var dO = observed / n;
        var dE = expected / (n * (n - 1));
        return new AlphaResult(dE == 0 ? null : 1 - (dO / dE), dO, dE, n);
    }

    /// <summary>Share of pairable value pairs that agree: 1 - nominal D_o (DKPro's percentage agreement with missing values).</summary>
    public static double? PercentAgreement(ReliabilityData data)
    {
        var (o, n) = Coincidences(data);
        return PercentAgreement(o, n, data.Categories.Count);
    }

    internal static double? PercentAgreement(double[] o, double n, int k)
    {
        if (n == 0)
        {
            return null;
        }

        double agree = 0;
        for (var c = 0; c < k; c++)
        {
            agree += o[(c * k) + c];
        }

        return agree / n;
    }

    private static double[] Distances(ReliabilityData data, MeasurementLevel level, double[] marginals)
    {
        var k = data.Categories.Count;
        var delta = new double[k * k];
        var values = data.NumericValues;
        if (level is MeasurementLevel.Interval or MeasurementLevel.Ratio && values is null)
        {
            throw new AgreementInputException($"The {level.ToString().ToLowerInvariant()} level needs numeric values; found \"{data.Categories.First(c => !double.TryParse(c, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))}\".");
        }

        // Ordinal: cumulative counts along the category order (categories are sorted already).
        var cumulative = new double[k + 1];
        for (var c = 0; c < k; c++)
        {
            cumulative[c + 1] = cumulative[c] + marginals[c];
        }

        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < k; j++)
            {
                if (c == j)
                {
                    continue;
                }

                delta[(c * k) + j] = level switch
                {
                    MeasurementLevel.Nominal => 1,
                    MeasurementLevel.Interval => Math.Pow(values![c] - values[j], 2),
                    MeasurementLevel.Ratio => values![c] + values[j] == 0 ? 0 : Math.Pow((values[c] - values[j]) / (values[c] + values[j]), 2),
                    MeasurementLevel.Ordinal => Math.Pow(
                        cumulative[Math.Max(c, j) + 1] - cumulative[Math.Min(c, j)] - ((marginals[c] + marginals[j]) / 2), 2),
                    _ => throw new ArgumentOutOfRangeException(nameof(level)),
                };
            }
        }

        return delta;
    }

    /// <summary>
    /// One unit's agreement for routing: the share of agreeing pairs among its values (null with fewer than two).
    /// </summary>
    public static double? UnitAgreement(IReadOnlyList<string?> values)
    {
        var present = values.Where(v => !string.IsNullOrEmpty(v)).ToList();
        if (present.Count < 2)
        {
            return null;
        }

        var agreeing = present.GroupBy(v => v, StringComparer.Ordinal).Sum(g => (double)g.Count() * (g.Count() - 1));
        return agreeing / (present.Count * (present.Count - 1.0));
    }

    /// <summary>Cohen's kappa for two coders over the units both coded.</summary>
    public static CohenResult CohenKappa(ReliabilityData data, int coderA, int coderB)
    {
        var k = data.Categories.Count;
        var table = new double[k * k];
        var n = PairTable(data, coderA, coderB, table);
        return CohenKappa(table, k, n);
    }

    internal static CohenResult CohenKappa(double[] table, int k, int n)
    {
        if (n == 0)
        {
            return new CohenResult(0, null, null, null);
        }

        double agree = 0, expected = 0;
        for (var c = 0; c < k; c++)
        {
            agree += table[(c * k) + c];
            double rowSum = 0, columnSum = 0;
            for (var j = 0; j < k; j++)
            {
                rowSum += table[(c * k) + j];
                columnSum += table[(j * k) + c];
            }

            expected += rowSum / n * (columnSum / n);
        }

        var ao = agree / n;
        return new CohenResult(n, ao, expected, expected >= 1 ? null : (ao - expected) / (1 - expected));
    }

    /// <summary>Weighted kappa with linear (|i-j|) or quadratic weights on the category order.</summary>
    public static double? WeightedCohenKappa(ReliabilityData data, int coderA, int coderB, bool quadratic = false)
    {
        var k = data.Categories.Count;
        var table = new double[k * k];
        var n = PairTable(data, coderA, coderB, table);
        if (n == 0)
        {
            return null;
        }

        var rows = new double[k];
        var columns = new double[k];
        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < k; j++)
            {
                rows[c] += table[(c * k) + j];
                columns[j] += table[(c * k) + j];
            }
        }

        double observed = 0, expected = 0;
        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < k; j++)
            {
                var w = quadratic ? (c - j) * (c - j) : Math.Abs(c - j);
                observed += w * table[(c * k) + j];
                expected += w * rows[c] * columns[j] / n;
            }
        }

        return expected == 0 ? null : 1 - (observed / expected);
    }

    private static int PairTable(ReliabilityData data, int coderA, int coderB, double[] table)
    {
        var k = data.Categories.Count;
        var width = data.CoderCount;
        var codes = data.Codes;
        var n = 0;
        for (var start = 0; start < codes.Length; start += width)
        {
            var a = codes[start + coderA];
            var b = codes[start + coderB];
            if (a >= 0 && b >= 0)
            {
                table[(a * k) + b]++;
                n++;
            }
        }

        return n;
    }

    /// <summary>Cohen's kappa and percent agreement for every pair of coders.</summary>
    public static IReadOnlyList<PairwiseAgreement> Pairwise(ReliabilityData data)
    {
        var result = new List<PairwiseAgreement>();
        for (var a = 0; a < data.CoderCount; a++)
        {
            for (var b = a + 1; b < data.CoderCount; b++)
            {
                var cohen = CohenKappa(data, a, b);
                result.Add(new PairwiseAgreement(data.Coders[a], data.Coders[b], cohen.Units, cohen.PercentAgreement, cohen.Kappa));
            }
        }

        return result;
    }

    /// <summary>
    /// Fleiss' kappa; defined only when every unit that has values has the same number of them (at least two).
    /// Units without any value are ignored.
    /// </summary>
    public static FleissResult? FleissKappa(ReliabilityData data)
    {
        var k = data.Categories.Count;
        var width = data.CoderCount;
        var codes = data.Codes;
        var counts = new int[k];
        var shares = new double[k];
        var unitAgreement = new List<double>();
        var raters = -1;
        for (var start = 0; start < codes.Length; start += width)
        {
            Array.Clear(counts);
            var m = 0;
            for (var i = 0; i < width; i++)
            {
                if (codes[start + i] >= 0)
                {
                    counts[codes[start + i]]++;
                    m++;
                }
            }

            if (m == 0)
            {
                continue;
            }

            if (raters == -1)
            {
                raters = m;
            }
            else if (raters != m)
            {
                return null;
            }

            double squares = 0;
            for (var c = 0; c < k; c++)
            {
                squares += (double)counts[c] * counts[c];
                shares[c] += counts[c];
            }

            unitAgreement.Add(m < 2 ? 0 : (squares - m) / ((double)m * (m - 1)));
        }

        return raters < 2 ? null : FleissFromCounts(unitAgreement, shares, raters);
    }

    /// <summary>Fleiss' kappa from a subjects × categories count table (every row sums to the same number of raters).</summary>
    public static FleissResult? FleissKappa(IReadOnlyList<IReadOnlyList<int>> table)
    {
        if (table.Count == 0)
        {
            return null;
        }

        var k = table[0].Count;
        var raters = table[0].Sum();
        var shares = new double[k];
        var unitAgreement = new List<double>(table.Count);
        foreach (var row in table)
        {
            if (row.Sum() != raters || raters < 2)
            {
                return null;
            }

            unitAgreement.Add((row.Sum(x => (double)x * x) - raters) / ((double)raters * (raters - 1)));
            for (var c = 0; c < k; c++)
            {
                shares[c] += row[c];
            }
        }

        return FleissFromCounts(unitAgreement, shares, raters);
    }

    private static FleissResult FleissFromCounts(List<double> unitAgreement, double[] shares, int raters)
    {
        var total = (double)unitAgreement.Count * raters;
        for (var c = 0; c < shares.Length; c++)
        {
            shares[c] /= total;
        }

        var pBar = unitAgreement.Average();
        var pE = shares.Sum(p => p * p);
        return new FleissResult(pE >= 1 ? null : (pBar - pE) / (1 - pE), pBar, pE, shares, unitAgreement);
    }
}

/// <summary>Input the measures cannot work with; the message says what and where.</summary>
public sealed class AgreementInputException(string message) : Exception(message);
