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

    private static IEnumerable<DefinitionDiffLine> Lines(string field, string? before, string? after) =>
        LineDiff.Between(Split(before), Split(after)).Select(l => new DefinitionDiffLine(field, l.Kind, l.Text));

    private static string[] Split(string? text) => LineDiff.Split(DefinitionText.Norm(text));
}
