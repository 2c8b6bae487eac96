using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Labeling;

/// <summary>A span by label key; offsets are UTF-16 positions in the task text, end exclusive.</summary>
public readonly record struct SpanValue(string Control, Guid Label, int Start, int End);

public readonly record struct AnswerValue(string Control, Guid Label);

/// <summary>What an annotator produced for a task; the canonical snapshot stored in revisions and ground truth.</summary>
public sealed record AnnotationResult(IReadOnlyList<SpanValue> Spans, IReadOnlyList<AnswerValue> Answers)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static readonly AnnotationResult Empty = new([], []);

    /// <summary>Spans in a canonical order (start, end, control, label), so equal results serialize equally.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new AnnotationResult(
            [.. Spans.OrderBy(s => s.Start).ThenBy(s => s.End).ThenBy(s => s.Control, StringComparer.Ordinal).ThenBy(s => s.Label)],
            [.. Answers.OrderBy(a => a.Control, StringComparer.Ordinal).ThenBy(a => a.Label)]),
        Json);

    public static AnnotationResult FromJson(string json) =>
        JsonSerializer.Deserialize<AnnotationResult>(json, Json) ?? Empty;
}
