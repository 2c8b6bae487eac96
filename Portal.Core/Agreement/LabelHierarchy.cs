namespace Portal.Core.Agreement;

/// <summary>
/// Hierarchical labels as paths ("Location / City"). Agreement at a chosen depth maps every label to its ancestor
/// at that depth, so "Location / City" and "Location / Country" agree at depth 1: partial credit at parent levels.
/// </summary>
public static class LabelHierarchy
{
    public const string Separator = " / ";

    /// <summary>The path cut to its first <paramref name="depth"/> levels (a shallower path is returned whole).</summary>
    public static string AtDepth(string path, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var parts = path.Split(Separator);
        return parts.Length <= depth ? path : string.Join(Separator, parts.Take(depth));
    }
}
