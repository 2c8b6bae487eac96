using System.Globalization;

namespace Portal.Core.Agreement;

public enum MeasurementLevel
{
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

/// <summary>
/// A units × coders matrix of category codes (-1 = missing), stored unit-major in one array so that the
/// measures run in one cache-friendly pass. Categories are ordered: by numeric value when every value is a
/// number, otherwise by ordinal string order.
/// </summary>
public sealed class ReliabilityData
{
    internal ReliabilityData(IReadOnlyList<string> coders, IReadOnlyList<string> categories, double[]? numericValues, int[] codes)
    {
        Coders = coders;
        Categories = categories;
        NumericValues = numericValues;
        Codes = codes;
    }

    public IReadOnlyList<string> Coders { get; }

    public IReadOnlyList<string> Categories { get; }

    /// <summary>The numeric value of each category, or null when some value is not a number.</summary>
    public double[]? NumericValues { get; }

    internal int[] Codes { get; }

    public int CoderCount => Coders.Count;

    public int UnitCount => Codes.Length / Math.Max(1, Coders.Count);

    public int Code(int unit, int coder) => Codes[(unit * Coders.Count) + coder];

    /// <summary>Rows of values per unit in coder order; null is a missing value.</summary>
    public static ReliabilityData FromUnits(IReadOnlyList<string> coders, IEnumerable<IReadOnlyList<string?>> units)
    {
        var builder = new ReliabilityDataBuilder(coders);
        foreach (var unit in units)
        {
            builder.AddUnit(unit);
        }

        return builder.Build();
    }

    /// <summary>A coders × units matrix as in the literature (rows are coders); null is missing.</summary>
    public static ReliabilityData FromCoderRows(IReadOnlyList<IReadOnlyList<string?>> matrix)
    {
        var coders = Enumerable.Range(1, matrix.Count).Select(i => $"coder{i}").ToList();
        var unitCount = matrix.Count == 0 ? 0 : matrix[0].Count;
        return FromUnits(coders, Enumerable.Range(0, unitCount).Select(u => (IReadOnlyList<string?>)matrix.Select(row => row[u]).ToList()));
    }

    /// <summary>The same data with the units picked by <paramref name="units"/> (repeats allowed), for bootstrapping.</summary>
    public ReliabilityData Resample(ReadOnlySpan<int> units)
    {
        var width = Coders.Count;
        var codes = new int[units.Length * width];
        for (var i = 0; i < units.Length; i++)
        {
            Array.Copy(Codes, units[i] * width, codes, i * width, width);
        }

        return new ReliabilityData(Coders, Categories, NumericValues, codes);
    }
}

/// <summary>Builds <see cref="ReliabilityData"/> unit by unit; values are interned to category codes as they come.</summary>
public sealed class ReliabilityDataBuilder(IReadOnlyList<string> coders)
{
    private readonly Dictionary<string, int> codes = new(StringComparer.Ordinal);
    private readonly List<string> values = [];
    private readonly List<int> cells = [];

    public int UnitCount => cells.Count / Math.Max(1, coders.Count);

    public void AddUnit(IReadOnlyList<string?> unit)
    {
        if (unit.Count != coders.Count)
        {
            throw new ArgumentException($"A unit has {unit.Count} values but there are {coders.Count} coders.", nameof(unit));
        }

        for (var i = 0; i < unit.Count; i++)
        {
            cells.Add(unit[i] is { Length: > 0 } value ? Intern(value) : -1);
        }
    }

    /// <summary>Adds one unit from a span of values without allocating a list (the CSV reader's path).</summary>
    public void AddUnit(ReadOnlySpan<string?> unit)
    {
        for (var i = 0; i < unit.Length; i++)
        {
            cells.Add(unit[i] is { Length: > 0 } value ? Intern(value) : -1);
        }
    }

    private int Intern(string value)
    {
        if (!codes.TryGetValue(value, out var code))
        {
            code = values.Count;
            codes.Add(value, code);
            values.Add(value);
        }

        return code;
    }

    public ReliabilityData Build()
    {
        // Order categories (numerically when all are numbers) and renumber the codes to that order.
        var numbers = new double[values.Count];
        var numeric = true;
        for (var i = 0; i < values.Count && numeric; i++)
        {
            numeric = double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) && double.IsFinite(numbers[i]);
        }

        var order = Enumerable.Range(0, values.Count).ToArray();
        if (numeric)
        {
            Array.Sort(order, (a, b) => numbers[a].CompareTo(numbers[b]) is var c && c != 0 ? c : string.CompareOrdinal(values[a], values[b]));
        }
        else
        {
            Array.Sort(order, (a, b) => string.CompareOrdinal(values[a], values[b]));
        }

        var rank = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            rank[order[i]] = i;
        }

        var result = cells.ToArray();
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] >= 0)
            {
                result[i] = rank[result[i]];
            }
        }

        return new ReliabilityData(
            coders,
            order.Select(i => values[i]).ToList(),
            numeric ? order.Select(i => numbers[i]).ToArray() : null,
            result);
    }
}
