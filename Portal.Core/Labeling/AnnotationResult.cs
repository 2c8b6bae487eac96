using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Labeling;

/// <summary>A span by label key; offsets are UTF-16 positions in the task text, end exclusive.</summary>
public readonly record struct SpanValue(string Control, Guid Label, int Start, int End);

public readonly record struct AnswerValue(string Control, Guid Label);

/// <summary>The answer to a free-text question.</summary>
public readonly record struct TextValue(string Control, string Text);

/// <summary>
/// A link between two spans of the same result, drawn for a relation question. The spans are named by value (question,
/// label, offsets), not by position in a list, so the link survives the canonical ordering and a round trip.
/// </summary>
/// <param name="Label">The relation type (a label of the relation question); null for a link without a type.</param>
public readonly record struct RelationValue(string Control, SpanValue From, SpanValue To, Guid? Label);

/// <summary>What an annotator produced for a task; the canonical snapshot stored in revisions and ground truth.</summary>
public sealed record AnnotationResult(IReadOnlyList<SpanValue> Spans, IReadOnlyList<AnswerValue> Answers)
{
    /// <summary>The longest free-text answer, in UTF-16 characters.</summary>
    public const int MaxTextLength = 10_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static readonly AnnotationResult Empty = new([], []);

    /// <summary>Free-text answers; JSON written before free text existed has none.</summary>
    public IReadOnlyList<TextValue> Texts { get; init => field = value ?? []; } = [];

    /// <summary>Relations between this result's spans; JSON written before relations existed has none.</summary>
    public IReadOnlyList<RelationValue> Relations { get; init => field = value ?? []; } = [];

    /// <summary>
    /// Everything in a canonical order (spans by start, end, control, label), so equal results serialize equally. Free
    /// text and relations are left out when there are none, so results without them read exactly as before they existed.
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(
        new Canonical(
            [.. Spans.OrderBy(s => s, SpanOrder.Instance)],
            [.. Answers.OrderBy(a => a.Control, StringComparer.Ordinal).ThenBy(a => a.Label)],
            Texts.Count == 0 ? null : [.. Texts.OrderBy(t => t.Control, StringComparer.Ordinal).ThenBy(t => t.Text, StringComparer.Ordinal)],
            Relations.Count == 0 ? null : [.. Relations.OrderBy(r => r.Control, StringComparer.Ordinal)
                .ThenBy(r => r.From, SpanOrder.Instance).ThenBy(r => r.To, SpanOrder.Instance).ThenBy(r => r.Label)]),
        Json);

    public static AnnotationResult FromJson(string json) =>
        JsonSerializer.Deserialize<AnnotationResult>(json, Json) ?? Empty;

    /// <summary>The result without the given spans and the relations that used them.</summary>
    public AnnotationResult WithoutSpans(IReadOnlyCollection<SpanValue> removed) => this with
    {
        Spans = [.. Spans.Where(s => !removed.Contains(s))],
        Relations = [.. Relations.Where(r => !removed.Contains(r.From) && !removed.Contains(r.To))],
    };

    private sealed record Canonical(
        IReadOnlyList<SpanValue> Spans, IReadOnlyList<AnswerValue> Answers,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TextValue>? Texts,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RelationValue>? Relations);

    /// <summary>The order spans are written in: start, end, control, label.</summary>
    public sealed class SpanOrder : IComparer<SpanValue>
    {
        public static readonly SpanOrder Instance = new();

        public int Compare(SpanValue x, SpanValue y)
        {
            var c = x.Start.CompareTo(y.Start);
            c = c != 0 ? c : x.End.CompareTo(y.End);
            c = c != 0 ? c : string.CompareOrdinal(x.Control, y.Control);
            return c != 0 ? c : x.Label.CompareTo(y.Label);
        }
    }
}
