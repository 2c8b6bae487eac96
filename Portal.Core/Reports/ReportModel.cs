namespace Portal.Core.Reports;

/// <summary>How a column's values are written: user text always as text, the rest as real numbers and dates with a format.</summary>
public enum ColumnKind
{
    /// <summary>Text exactly as typed: never a number, a date, a boolean or a formula.</summary>
    Text,

    /// <summary>A count, with thousands separators.</summary>
    Count,

    /// <summary>An identifier: a whole number without separators.</summary>
    Id,

    /// <summary>A decimal number (seconds, tasks per day).</summary>
    Number,

    /// <summary>A share from 0 to 1, shown as a percent.</summary>
    Percent,

    /// <summary>An agreement coefficient (kappa, alpha, F1): two decimals.</summary>
    Coefficient,

    /// <summary>A calendar day, ISO format.</summary>
    Date,

    /// <summary>A moment in UTC, ISO format to the minute.</summary>
    DateTime,
}

public sealed record ReportColumn(string Header, ColumnKind Kind);

/// <summary>
/// One Excel table of a sheet. Row values are <see cref="string"/>, <see cref="int"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="DateOnly"/>, <see cref="System.DateTime"/> or null (an empty cell), in the order of <see cref="Columns"/>.
/// </summary>
/// <param name="Name">The Excel table name (letters, digits and underscores, unique in the workbook).</param>
/// <param name="Title">The line above the table, saying what it shows and how many items it rests on.</param>
/// <param name="Empty">What the sheet says instead of the table when there are no rows.</param>
public sealed record ReportTable(string Name, string Title, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<object?[]> Rows, string Empty)
{
    /// <summary>Colours the numbers from red (low) through yellow to green (high), as a heat map (conditional formatting).</summary>
    public bool ColorScale { get; init; }
}

public enum ChartKind
{
    Line,
    Column,
    Doughnut,
}

/// <summary>A native Excel chart over a table of the same sheet: categories from one column, one series per value column.</summary>
public sealed record ReportChart(ChartKind Kind, string Title, string Table, int CategoryColumn, IReadOnlyList<int> ValueColumns);

/// <summary>A small formatted sheet: a few lines of explanation, its tables one under the other, its charts beside them.</summary>
public sealed record ReportSheet(string Name, IReadOnlyList<string> Intro, IReadOnlyList<ReportTable> Tables, IReadOnlyList<ReportChart> Charts);

/// <summary>
/// The large sheet, streamed row by row: <paramref name="Count"/> rows are announced before writing (the table's range and the
/// sheets it is split over depend on it) and exactly that many must come.
/// </summary>
public sealed record DetailSheet(string Name, string TableName, IReadOnlyList<ReportColumn> Columns, long Count, IAsyncEnumerable<object?[]> Rows);

/// <summary>A whole workbook: document properties, the formatted sheets in order, then the detail sheet(s).</summary>
public sealed record WorkbookSpec(string Title, string Subject, string Author, DateTime CreatedUtc, IReadOnlyList<ReportSheet> Sheets, DetailSheet? Detail);
