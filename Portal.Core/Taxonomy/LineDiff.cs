namespace Portal.Core.Taxonomy;

/// <param name="Kind">Whether the line was added, removed or kept.</param>
public readonly record struct DiffLine(DiffLineKind Kind, string Text);

/// <summary>
/// Line diff of two texts (longest common subsequence of lines), shared by label definitions and project guidelines.
/// The common start and end are matched first, so an edit in a long text costs only the size of the changed middle.
/// </summary>
public static class LineDiff
{
    /// <summary>Every line of <paramref name="after"/> and every removed line of <paramref name="before"/>, in reading order.</summary>
    public static IReadOnlyList<DiffLine> Between(string? before, string? after) =>
        Between(Split(before), Split(after));

    /// <summary>The lines of a text: line endings do not count, nor blanks at the end of a line; an empty text has none.</summary>
    public static string[] Split(string? text)
    {
        var norm = text?.Replace("\r\n", "\n", StringComparison.Ordinal) ?? "";
        return norm.Length == 0 ? [] : [.. norm.Split('\n').Select(l => l.TrimEnd())];
    }

    public static IReadOnlyList<DiffLine> Between(string[] a, string[] b)
    {
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head])
        {
            head++;
        }

        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[^(tail + 1)] == b[^(tail + 1)])
        {
            tail++;
        }

        var result = new List<DiffLine>(Math.Max(a.Length, b.Length));
        result.AddRange(b[..head].Select(l => new DiffLine(DiffLineKind.Same, l)));
        Middle(a[head..^tail], b[head..^tail], result);
        result.AddRange(b[^tail..].Select(l => new DiffLine(DiffLineKind.Same, l)));
        return result;
    }

    private static void Middle(string[] a, string[] b, List<DiffLine> result)
    {
        // lcs[i, j] = length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                result.Add(new DiffLine(DiffLineKind.Same, b[y]));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                result.Add(new DiffLine(DiffLineKind.Removed, a[x++]));
            }
            else
            {
                result.Add(new DiffLine(DiffLineKind.Added, b[y++]));
            }
        }
    }
}
