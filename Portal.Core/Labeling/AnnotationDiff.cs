namespace Portal.Core.Labeling;

/// <summary>What one revision changed compared with the one before: spans and answers added and removed.</summary>
public sealed record AnnotationDiff(
    IReadOnlyList<SpanValue> AddedSpans, IReadOnlyList<SpanValue> RemovedSpans,
    IReadOnlyList<AnswerValue> AddedAnswers, IReadOnlyList<AnswerValue> RemovedAnswers)
{
    public bool IsEmpty => AddedSpans.Count + RemovedSpans.Count + AddedAnswers.Count + RemovedAnswers.Count == 0;

    /// <summary>The change from <paramref name="before"/> (null for the first revision) to <paramref name="after"/>; order never matters.</summary>
    public static AnnotationDiff Between(AnnotationResult? before, AnnotationResult after)
    {
        before ??= AnnotationResult.Empty;
        return new AnnotationDiff(
            [.. after.Spans.Except(before.Spans).OrderBy(s => s.Start).ThenBy(s => s.End)],
            [.. before.Spans.Except(after.Spans).OrderBy(s => s.Start).ThenBy(s => s.End)],
            [.. after.Answers.Except(before.Answers)],
            [.. before.Answers.Except(after.Answers)]);
    }
}
