namespace Portal.Core.Reports;

/// <summary>One sheet of a large table: its name, its Excel table's name and how many data rows it holds.</summary>
public sealed record SheetPart(string Name, string TableName, long Rows);

/// <summary>
/// A table larger than a sheet continues on further sheets ("Detail", "Detail (2)", …), each with its own header and table,
/// so nothing is ever cut off.
/// </summary>
public static class SheetSplit
{
    /// <summary>Excel's row limit.</summary>
    public const int MaxRows = 1_048_576;

    /// <summary>Data rows a sheet holds under its header row.</summary>
    public const int MaxDataRows = MaxRows - 1;

    public static IReadOnlyList<SheetPart> Split(string name, string tableName, long rows, int maxDataRows = MaxDataRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDataRows, 1);
        var parts = new List<SheetPart>();
        var left = rows;
        do
        {
            var n = parts.Count + 1;
            var take = Math.Min(left, maxDataRows);
            parts.Add(new SheetPart(n == 1 ? name : $"{name} ({n})", n == 1 ? tableName : $"{tableName}_{n}", take));
            left -= take;
        }
        while (left > 0);

        return parts;
    }
}
