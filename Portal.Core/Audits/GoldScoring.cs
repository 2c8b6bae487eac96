using Portal.Core.Agreement;
using Portal.Core.Labeling;

namespace Portal.Core.Audits;

/// <summary>How one submission compares with its gold answer.</summary>
/// <param name="Score">The task's score in [0, 1]: the mean over questions of span F1 (exact) or choice accuracy.</param>
/// <param name="PerLabel">Exact span F1 per span label key (labels in neither answer are left out).</param>
public sealed record GoldScore(
    double Score, double? SpanF1Exact, double? SpanF1Overlap, double? ChoiceAccuracy, IReadOnlyDictionary<Guid, double?> PerLabel);

/// <summary>Scores a submission against the gold answer of its task, with the agreement engine's span F1.</summary>
public static class GoldScoring
{
    public static GoldScore Score(AnnotationResult gold, AnnotationResult work, IReadOnlyList<(string Control, bool IsSpans)> questions, int textLength)
    {
        var parts = new List<double>();
        var spanQuestions = questions.Where(q => q.IsSpans).Select(q => q.Control).ToList();
        double? exact = null, overlap = null;
        var perLabel = new Dictionary<Guid, double?>();
        if (spanQuestions.Count > 0)
        {
            var study = new SpanStudy(["gold", "work"]);
            study.AddTask("task", textLength, [Spans(gold, spanQuestions), Spans(work, spanQuestions)]);
            var exactResult = SpanAgreement.ExactF1(study);
            exact = exactResult.Mean ?? 1;
            overlap = SpanAgreement.OverlapF1(study).Mean ?? 1;
            foreach (var (label, f1) in exactResult.PerLabel)
            {
                perLabel[Guid.Parse(label)] = f1;
            }

            parts.Add(exact.Value);
        }

        var choices = questions.Where(q => !q.IsSpans).Select(q => q.Control).ToList();
        double? accuracy = null;
        if (choices.Count > 0)
        {
            var correct = choices.Count(c => Answers(gold, c).SetEquals(Answers(work, c)));
            accuracy = (double)correct / choices.Count;
            parts.AddRange(choices.Select(c => Answers(gold, c).SetEquals(Answers(work, c)) ? 1.0 : 0.0));
        }

        return new GoldScore(parts.Count == 0 ? 1 : parts.Average(), exact, overlap, accuracy, perLabel);
    }

    /// <summary>
    /// <see cref="Score"/>'s task score alone (the same number), without the engine's overlap and per-label figures: for
    /// lists that score thousands of tasks while a person waits (a pair's disagreements). Exact span F1 over the span
    /// questions' distinct (start, end, label) spans, 1 when neither marked any; 1 or 0 per choice question.
    /// </summary>
    public static double TaskScore(AnnotationResult a, AnnotationResult b, IReadOnlyList<(string Control, bool IsSpans)> questions)
    {
        var parts = 0;
        var sum = 0.0;
        if (questions.Any(q => q.IsSpans))
        {
            var controls = questions.Where(q => q.IsSpans).Select(q => q.Control).ToHashSet(StringComparer.Ordinal);
            var first = a.Spans.Where(s => controls.Contains(s.Control)).Select(s => (s.Start, s.End, s.Label)).ToHashSet();
            var second = b.Spans.Where(s => controls.Contains(s.Control)).Select(s => (s.Start, s.End, s.Label)).ToHashSet();
            var size = first.Count + second.Count;
            sum += size == 0 ? 1 : 2.0 * first.Count(second.Contains) / size;
            parts++;
        }

        foreach (var (control, isSpans) in questions)
        {
            if (!isSpans)
            {
                sum += Answers(a, control).SetEquals(Answers(b, control)) ? 1 : 0;
                parts++;
            }
        }

        return parts == 0 ? 1 : sum / parts;
    }

    /// <summary>The rolling score: the mean of the last <paramref name="window"/> gold scores (newest last); null without any.</summary>
    public static double? Rolling(IReadOnlyList<double> scores, int window) =>
        scores.Count == 0 ? null : scores.Skip(Math.Max(0, scores.Count - window)).Average();

    private static List<(int Start, int End, string Label)> Spans(AnnotationResult result, List<string> controls) =>
        [.. result.Spans.Where(s => controls.Contains(s.Control)).Select(s => (s.Start, s.End, s.Label.ToString()))];

    private static HashSet<Guid> Answers(AnnotationResult result, string control) => [.. result.Answers.Where(a => a.Control == control).Select(a => a.Label)];
}
