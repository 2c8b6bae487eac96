namespace Portal.Core.Taxonomy;

/// <summary>A label's guideline texts: what it means, examples, counter-examples.</summary>
public sealed record DefinitionText(string? Description, string? Examples, string? CounterExamples)
{
    /// <summary>True when the texts read the same (blank and missing are the same; line endings do not count).</summary>
    public bool SameAs(DefinitionText? other) =>
        other is not null && Norm(Description) == Norm(other.Description) && Norm(Examples) == Norm(other.Examples) &&
        Norm(CounterExamples) == Norm(other.CounterExamples);

    internal static string Norm(string? text) => string.IsNullOrWhiteSpace(text) ? "" : text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}

public enum DiffLineKind
{
    Same = 0,
    Added = 1,
    Removed = 2,
}

/// <param name="Field">"Definition", "Examples" or "Counter-examples".</param>
public sealed record DefinitionDiffLine(string Field, DiffLineKind Kind, string Text);

/// <summary>Line diff of two versions of a label's guideline texts, field by field (longest common subsequence of lines).</summary>
public static class DefinitionDiff
{
    public const string Definition = "Definition";
    public const string Examples = "Examples";
    public const string CounterExamples = "Counter-examples";

    /// <summary>Every line of each field of <paramref name="after"/>, marked added, removed or the same against <paramref name="before"/> (null: all added).</summary>
    public static IReadOnlyList<DefinitionDiffLine> Between(DefinitionText? before, DefinitionText after) =>
    [
        .. Lines(Definition, before?.Description, after.Description),
        .. Lines(Examples, before?.Examples, after.Examples),
        .. Lines(CounterExamples, before?.CounterExamples, after.CounterExamples),
    ];

    /// <summary>Only the changed lines, as "- Field: old" / "+ Field: new" (the form drift evidence stores).</summary>
    public static IReadOnlyList<string> Changes(DefinitionText? before, DefinitionText after) =>
    [
        .. Between(before, after).Where(l => l.Kind != DiffLineKind.Same)
            .Select(l => $"{(l.Kind == DiffLineKind.Added ? "+" : "-")} {l.Field}: {l.Text}"),
    ];

    private static IEnumerable<DefinitionDiffLine> Lines(string field, string? before, string? after)
    {
        var a = Split(before);
        var b = Split(after);
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
                yield return new DefinitionDiffLine(field, DiffLineKind.Same, b[y]);
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                yield return new DefinitionDiffLine(field, DiffLineKind.Removed, a[x++]);
            }
            else
            {
                yield return new DefinitionDiffLine(field, DiffLineKind.Added, b[y++]);
            }
        }
    }

    private static string[] Split(string? text)
    {
        var norm = DefinitionText.Norm(text);
        return norm.Length == 0 ? [] : [.. norm.Split('\n').Select(l => l.TrimEnd())];
    }
}
