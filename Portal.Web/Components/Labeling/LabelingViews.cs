using System.Text.RegularExpressions;
using Portal.Core.Labeling;
using Portal.Web.Labeling;

namespace Portal.Web.Components.Labeling;

public sealed record SpanView(int Start, int End, string Label, string Color, bool Suggested = false)
{
    /// <summary>Label colors come from the taxonomy (manager input): only #RRGGBB reaches a style attribute.</summary>
    public static string SafeColor(string? color) => color is not null && HexColor.IsMatch(color) ? color : "#9e9e9e";

    /// <summary>A stored span as drawn: its label's name and color from the label set, "?" when the label is gone.</summary>
    public static SpanView Of(IReadOnlyList<ControlView> controls, SpanValue span, bool suggested = false) =>
        LabelOf(controls, span) is { } l
            ? new SpanView(span.Start, span.End, suggested ? $"{l.Name} (suggested)" : l.IsDeprecated ? $"{l.Name} (no longer used)" : l.Name, l.Color, suggested)
            : new SpanView(span.Start, span.End, "?", "#9e9e9e", suggested);

    public static IReadOnlyList<SpanView> Of(IReadOnlyList<ControlView> controls, AnnotationResult result) =>
        [.. result.Spans.Select(s => Of(controls, s))];

    /// <summary>The label a span carries, from the label set; null when the label is gone.</summary>
    public static LabelOption? LabelOf(IReadOnlyList<ControlView> controls, SpanValue span) =>
        controls.FirstOrDefault(c => c.Name == span.Control)?.Labels.FirstOrDefault(l => l.Key == span.Label);

    private static readonly Regex HexColor = new("^#[0-9a-fA-F]{6}$", RegexOptions.Compiled);
}

public readonly record struct KeyPress(string Key, bool Ctrl, bool Shift);
