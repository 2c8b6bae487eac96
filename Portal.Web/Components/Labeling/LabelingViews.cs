using System.Text.RegularExpressions;

namespace Portal.Web.Components.Labeling;

public sealed record SpanView(int Start, int End, string Label, string Color, bool Suggested = false)
{
    /// <summary>Label colors come from the taxonomy (manager input): only #RRGGBB reaches a style attribute.</summary>
    public static string SafeColor(string? color) => color is not null && HexColor.IsMatch(color) ? color : "#9e9e9e";

    private static readonly Regex HexColor = new("^#[0-9a-fA-F]{6}$", RegexOptions.Compiled);
}

public readonly record struct KeyPress(string Key, bool Ctrl, bool Shift);
