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
        var units = new UnitIdCheck();
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

            ReadOnlySpan<char> unit;
            if (cells is null)
            {
                var comma = line.IndexOf(',', StringComparison.Ordinal);
                unit = line.AsSpan(0, comma);
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
                unit = cells[0].AsSpan();
                for (var i = 0; i < coders.Count; i++)
                {
                    values[i] = cells[i + 1].Length == 0 ? null : cells[i + 1];
                }
            }

            units.Add(unit, lineNumber);
            builder.AddUnit(values.AsSpan());
        }

        if (units.FirstDuplicate() is { } repeated)
        {
            throw new DataFormatException($"{fileName}: line {repeated.Line}: unit \"{repeated.Unit}\" appears twice.");
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

    private static List<string> Split(string line, string fileName, int lineNumber) =>
        Csv.SplitRecord(line)?.Select(c => c.Trim()).ToList() ?? throw new DataFormatException($"{fileName}: line {lineNumber}: a quoted cell is not closed.");

    /// <summary>
    /// Duplicate unit ids, found after reading: each id's 64-bit hash is appended to an array, the array is sorted once,
    /// and equal neighbours are compared as text. A hash table over a million ids spent most of the reading time in
    /// cache misses; one sort is several times cheaper.
    /// </summary>
    private sealed class UnitIdCheck
    {
        private ulong[] hashes = new ulong[1024];
        private (int Start, int Length, int Line)[] places = new (int, int, int)[1024];
        private char[] buffer = new char[1 << 16];
        private int count;
        private int used;

        public void Add(ReadOnlySpan<char> id, int line)
        {
            if (count == hashes.Length)
            {
                Array.Resize(ref hashes, count * 2);
                Array.Resize(ref places, count * 2);
            }

            if (used + id.Length > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, used + id.Length));
            }

            id.CopyTo(buffer.AsSpan(used));
            hashes[count] = Fnv1a(id);
            places[count++] = (used, id.Length, line);
            used += id.Length;
        }

        /// <summary>The first line (in file order) whose unit id already appeared, with that id; null when all are distinct.</summary>
        public (int Line, string Unit)? FirstDuplicate()
        {
            // Sorting the bare hashes is cheap; only hashes that occur twice need a look at the text.
            var sorted = hashes[..count];
            Array.Sort(sorted);
            HashSet<ulong>? repeated = null;
            for (var i = 1; i < sorted.Length; i++)
            {
                if (sorted[i] == sorted[i - 1])
                {
                    (repeated ??= []).Add(sorted[i]);
                }
            }

            if (repeated is null)
            {
                return null;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                if (repeated.Contains(hashes[i]) && !seen.Add(new string(buffer, places[i].Start, places[i].Length)))
                {
                    return (places[i].Line, new string(buffer, places[i].Start, places[i].Length));
                }
            }

            return null;
        }

        private static ulong Fnv1a(ReadOnlySpan<char> text)
        {
            var hash = 14695981039346656037UL;
            foreach (var ch in text)
            {
                hash = (hash ^ ch) * 1099511628211UL;
            }

            return hash;
        }
    }
}
