using Portal.Core.ImportExport;

namespace Portal.Core.Agreement;

/// <summary>
/// Reads reliability data as CSV: a header <c>unit,&lt;coder&gt;…</c>, then one row per unit; an empty cell is a
/// missing value. RFC 4180 quoting is understood; a row with the wrong number of cells is an error with its line.
/// </summary>
public static class ReliabilityCsv
{
    public static ReliabilityData Read(TextReader reader, string fileName)
    {
        var lineNumber = 1;
        var header = reader.ReadLine();
        if (header is null)
        {
            throw new DataFormatException($"{fileName}: the file is empty; expected a header row \"unit,<coder>,…\".");
        }

        var headerCells = Split(header.TrimStart('\uFEFF'), fileName, lineNumber);
        if (headerCells.Count < 2 || !string.Equals(headerCells[0].Trim(), "unit", StringComparison.OrdinalIgnoreCase))
        {
            throw new DataFormatException($"{fileName}: line 1: the header must be \"unit,<coder>,…\" with at least one coder.");
        }

        var coders = headerCells.Skip(1).Select(c => c.Trim()).ToList();
        var duplicate = coders.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new DataFormatException($"{fileName}: line 1: coder \"{duplicate.Key}\" appears twice in the header.");
        }

        var builder = new ReliabilityDataBuilder(coders);
        var values = new string?[coders.Count];
        var units = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Contains('"', StringComparison.Ordinal) ? Split(line, fileName, lineNumber) : null;
            var count = cells?.Count ?? CountFast(line);
            if (count != coders.Count + 1)
            {
                throw new DataFormatException($"{fileName}: line {lineNumber}: expected {coders.Count + 1} cells (unit and {coders.Count} coders), found {count}.");
            }

            string unit;
            if (cells is null)
            {
                var comma = line.IndexOf(',', StringComparison.Ordinal);
                unit = line[..comma];
                var start = comma + 1;
                for (var i = 0; i < coders.Count; i++)
                {
                    var end = line.IndexOf(',', start);
                    if (end < 0)
                    {
                        end = line.Length;
                    }

                    values[i] = end == start ? null : Cell(line, start, end);
                    start = end + 1;
                }
            }
            else
            {
                unit = cells[0];
                for (var i = 0; i < coders.Count; i++)
                {
                    values[i] = cells[i + 1].Length == 0 ? null : cells[i + 1];
                }
            }

            if (!units.Add(unit))
            {
                throw new DataFormatException($"{fileName}: line {lineNumber}: unit \"{unit}\" appears twice.");
            }

            builder.AddUnit(values.AsSpan());
        }

        return builder.Build();
    }

    private static int CountFast(string line)
    {
        var count = 1;
        foreach (var ch in line)
        {
            if (ch == ',')
            {
                count++;
            }
        }

        return count;
    }

    // Most values repeat (a handful of categories): intern the common short ones to save allocations.
    private static string Cell(string line, int start, int end)
    {
        var span = line.AsSpan(start, end - start).Trim();
        return span.Length == 1 && span[0] is >= '0' and <= '9' ? Digits[span[0] - '0'] : span.ToString();
    }

    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static List<string> Split(string line, string fileName, int lineNumber)
    {
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch == '"' && current.Length == 0)
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }

        if (quoted)
        {
            throw new DataFormatException($"{fileName}: line {lineNumber}: a quoted cell is not closed.");
        }

        cells.Add(current.ToString().Trim());
        return cells;
    }
}
