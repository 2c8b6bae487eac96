namespace Portal.Core.Agreement;

/// <summary>A labeled span: UTF-16 offsets, end exclusive; the label is an index into <see cref="SpanStudy.Labels"/>.</summary>
public readonly record struct LabeledSpan(int Start, int End, int Label) : IComparable<LabeledSpan>
{
    public int Length => End - Start;

    public int CompareTo(LabeledSpan other) =>
        Start != other.Start ? Start.CompareTo(other.Start) : End != other.End ? End.CompareTo(other.End) : Label.CompareTo(other.Label);

    public static bool operator <(LabeledSpan left, LabeledSpan right) => left.CompareTo(right) < 0;

    public static bool operator <=(LabeledSpan left, LabeledSpan right) => left.CompareTo(right) <= 0;

    public static bool operator >(LabeledSpan left, LabeledSpan right) => left.CompareTo(right) > 0;

    public static bool operator >=(LabeledSpan left, LabeledSpan right) => left.CompareTo(right) >= 0;
}

/// <summary>One task of a span study: its text length and, per annotator, their spans (null = did not annotate the task).</summary>
public sealed class SpanTask
{
    internal SpanTask(string id, int textLength, LabeledSpan[]?[] byAnnotator)
    {
        Id = id;
        TextLength = textLength;
        ByAnnotator = byAnnotator;
    }

    public string Id { get; }

    public int TextLength { get; }

    /// <summary>Sorted, without duplicates; null where the annotator did not annotate this task.</summary>
    public IReadOnlyList<LabeledSpan[]?> ByAnnotator { get; }
}

/// <summary>Span annotations of several annotators over many tasks; storage order never matters.</summary>
public sealed class SpanStudy
{
    private readonly Dictionary<string, int> labelIndex = new(StringComparer.Ordinal);
    private readonly List<string> labels = [];
    private readonly List<SpanTask> tasks = [];

    public SpanStudy(IReadOnlyList<string> annotators) => Annotators = annotators;

    public IReadOnlyList<string> Annotators { get; }

    public IReadOnlyList<string> Labels => labels;

    public IReadOnlyList<SpanTask> Tasks => tasks;

    public int LabelId(string label)
    {
        if (!labelIndex.TryGetValue(label, out var id))
        {
            id = labels.Count;
            labelIndex.Add(label, id);
            labels.Add(label);
        }

        return id;
    }

    /// <summary>
    /// Adds a task. <paramref name="byAnnotator"/> holds, per annotator in <see cref="Annotators"/> order, their spans or
    /// null when they did not annotate it. Spans are validated against the text, sorted and de-duplicated.
    /// </summary>
    public void AddTask(string id, int textLength, IReadOnlyList<IReadOnlyList<(int Start, int End, string Label)>?> byAnnotator)
    {
        if (byAnnotator.Count != Annotators.Count)
        {
            throw new ArgumentException($"Task {id}: {byAnnotator.Count} annotator entries for {Annotators.Count} annotators.", nameof(byAnnotator));
        }

        var spans = new LabeledSpan[]?[byAnnotator.Count];
        for (var a = 0; a < byAnnotator.Count; a++)
        {
            if (byAnnotator[a] is not { } list)
            {
                continue;
            }

            var array = new LabeledSpan[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                var (start, end, label) = list[i];
                if (start < 0 || end > textLength || end <= start)
                {
                    throw new AgreementInputException(
                        $"Task {id}: span [{start}, {end}) of \"{label}\" by {Annotators[a]} is {(end <= start ? "empty or ends before it starts" : "outside the text")} (text length {textLength}).");
                }

                array[i] = new LabeledSpan(start, end, LabelId(label));
            }

            Array.Sort(array);
            spans[a] = Distinct(array);
        }

        tasks.Add(new SpanTask(id, textLength, spans));
    }

    private static LabeledSpan[] Distinct(LabeledSpan[] sorted)
    {
        if (sorted.Length < 2)
        {
            return sorted;
        }

        var count = 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[count - 1])
            {
                sorted[count++] = sorted[i];
            }
        }

        return count == sorted.Length ? sorted : sorted[..count];
    }
}
