using Portal.Core.Agreement;
using Portal.Core.Labeling;

namespace Portal.Core.Drift;

/// <summary>One earlier answer and a later answer to the same task (a relabel, a blind retest), with the task's text length.</summary>
public sealed record AnswerPair(AnnotationResult Before, AnnotationResult After, int TextLength);

/// <param name="SpanF1">Exact span F1 pooled over all pairs; null when no pair has a span.</param>
/// <param name="Kappa">Cohen's kappa over the choice answers; null when it is undefined (fewer than two categories used).</param>
/// <param name="AnswerAgreement">Percent agreement over the choice answers; null when no pair has an answer.</param>
/// <param name="Agreement">The mean of the span F1 and the answer figure (kappa, or percent agreement when kappa is undefined).</param>
public sealed record SelfAgreementResult(int Pairs, double? SpanF1, double? Kappa, double? AnswerAgreement, double Agreement, int Changed)
{
    /// <summary>True when the answers were compared by percent agreement because kappa needs at least two categories.</summary>
    public bool KappaUndefined => Kappa is null && AnswerAgreement is not null;
}

/// <summary>
/// How far someone's later answers agree with their earlier ones: exact span F1 (<see cref="SpanAgreement"/>) and, for
/// the choice questions, Cohen's kappa (<see cref="CodingAgreement"/>), with the earlier and the later answer as the two coders.
/// </summary>
public static class SelfAgreement
{
    private static readonly string[] Coders = ["before", "after"];

    /// <summary>
    /// One pair: the mean of exact span F1 and the share of questions answered alike (kappa is meaningless on one
    /// item). 1.0 when the answers are identical, including two empty answers.
    /// </summary>
    public static double Pair(AnswerPair pair)
    {
        if (pair.Before.ToJson() == pair.After.ToJson())
        {
            return 1.0;
        }

        var spans = SpanAgreement.ExactF1(SpanStudyOf([pair])).Mean;
        var answers = CodingAgreement.PercentAgreement(AnswersOf([pair]));
        return Mean(spans, answers);
    }

    public static SelfAgreementResult Over(IReadOnlyList<AnswerPair> pairs)
    {
        var spans = SpanAgreement.ExactF1(SpanStudyOf(pairs)).Mean;
        var data = AnswersOf(pairs);
        double? percent = data.UnitCount == 0 ? null : CodingAgreement.PercentAgreement(data);
        double? kappa = data.Categories.Count >= 2 ? CodingAgreement.CohenKappa(data, 0, 1).Kappa : null;
        var changed = pairs.Count(p => p.Before.ToJson() != p.After.ToJson());
        return new SelfAgreementResult(pairs.Count, spans, kappa, percent, Mean(spans, kappa ?? percent), changed);
    }

    /// <summary>The mean of the figures there are; 1.0 when there are none (two empty answers agree).</summary>
    private static double Mean(double? a, double? b) => (a, b) switch
    {
        ({ } x, { } y) => (x + y) / 2,
        ({ } x, null) => x,
        (null, { } y) => y,
        _ => 1.0,
    };

    private static SpanStudy SpanStudyOf(IReadOnlyList<AnswerPair> pairs)
    {
        var study = new SpanStudy(Coders);
        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            study.AddTask(i.ToString(System.Globalization.CultureInfo.InvariantCulture), pair.TextLength, [Spans(pair.Before, pair.TextLength), Spans(pair.After, pair.TextLength)]);
        }

        return study;
    }

    /// <summary>Spans that fit the text (a stored answer outside it cannot be compared), labeled by control and label key.</summary>
    private static List<(int Start, int End, string Label)> Spans(AnnotationResult result, int textLength) =>
        [.. result.Spans.Where(s => s.Start >= 0 && s.End <= textLength && s.End > s.Start).Select(s => (s.Start, s.End, $"{s.Control}:{s.Label:N}"))];

    /// <summary>One unit per task and question either answer has; the value is the set of chosen labels (a multi-choice answer is one value).</summary>
    private static ReliabilityData AnswersOf(IReadOnlyList<AnswerPair> pairs)
    {
        var builder = new ReliabilityDataBuilder(Coders);
        foreach (var pair in pairs)
        {
            var controls = pair.Before.Answers.Concat(pair.After.Answers).Select(a => a.Control).Distinct().Order(StringComparer.Ordinal);
            foreach (var control in controls)
            {
                builder.AddUnit([Value(pair.Before, control), Value(pair.After, control)]);
            }
        }

        return builder.Build();
    }

    /// <summary>The chosen labels; "none" when the question was left out, so answering it in one and not the other counts as a disagreement.</summary>
    private static string Value(AnnotationResult result, string control)
    {
        var labels = result.Answers.Where(a => a.Control == control).Select(a => a.Label.ToString("N")).Order(StringComparer.Ordinal).ToList();
        return labels.Count == 0 ? "none" : string.Join('+', labels);
    }
}
