using System.Globalization;

namespace Portal.Core.Reports;

/// <summary>
/// Column widths from the content, in Excel's character units, without measuring fonts (ClosedXML's AdjustToContents needs
/// libgdiplus on Linux): the longest value as it will be shown, wide (East Asian) characters counting double, within bounds.
/// </summary>
public static class ColumnWidths
{
    public const double Min = 6;
    public const double Max = 60;

    /// <summary>Room for the filter button of a table header.</summary>
    private const double HeaderPadding = 3;

    public static double Estimate(ReportColumn column, IEnumerable<object?[]> rows, int index)
    {
        var widest = Shown(column.Header) + HeaderPadding;
        foreach (var row in rows)
        {
            widest = Math.Max(widest, Length(row[index], column.Kind) + 1);
        }

        return Math.Clamp(Math.Round(widest, 1), Min, Max);
    }

    /// <summary>How many characters the value takes as the workbook shows it.</summary>
    public static double Length(object? value, ColumnKind kind) => value switch
    {
        null => 0,
        string text => Shown(text),
        _ => kind switch
        {
            ColumnKind.Date => 10,
            ColumnKind.DateTime => 16,
            ColumnKind.Percent => 7,
            ColumnKind.Coefficient => 5,
            ColumnKind.Count => Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("#,##0", CultureInfo.InvariantCulture).Length,
            ColumnKind.Number => Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("#,##0.0#", CultureInfo.InvariantCulture).Length,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture)?.Length ?? 0,
        },
    };

    /// <summary>The widest line of the text; characters of wide scripts count double.</summary>
    private static double Shown(string text)
    {
        double widest = 0, line = 0;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                widest = Math.Max(widest, line);
                line = 0;
                continue;
            }

            line += IsWide(c) ? 2 : 1;
        }

        return Math.Max(widest, line);
    }

    private static bool IsWide(char c) => c is (>= '\u1100' and <= '\u115F') or (>= '\u2E80' and <= '\uA4CF') or (>= '\uAC00' and <= '\uD7A3')
        or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F') or (>= '\uFF00' and <= '\uFF60') or (>= '\uFFE0' and <= '\uFFE6');
}
