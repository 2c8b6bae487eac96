using Portal.Core.Drift;
using Portal.Core.Labeling;

namespace Portal.Tests.Core.Drift;

public class SelfAgreementTests
{
    private static readonly Guid Person = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid Positive = Guid.Parse("00000000-0000-0000-0000-0000000000b1");
    private static readonly Guid Negative = Guid.Parse("00000000-0000-0000-0000-0000000000b2");

    private static AnnotationResult Result(Guid sentiment, params (int Start, int End)[] spans) =>
        new([.. spans.Select(s => new SpanValue("entities", Person, s.Start, s.End))], [new AnswerValue("sentiment", sentiment)]);

    [Fact]
    public void Pair_IdenticalAnswers_IsOne()
    {
        Assert.Equal(1.0, SelfAgreement.Pair(new AnswerPair(Result(Positive, (0, 4)), Result(Positive, (0, 4)), 20)));
        Assert.Equal(1.0, SelfAgreement.Pair(new AnswerPair(AnnotationResult.Empty, AnnotationResult.Empty, 20)));
    }

    [Fact]
    public void Pair_SpanMovedAnswerKept_IsTheMeanOfSpanF1AndAnswers()
    {
        // Exact span F1: one of two spans kept on each side = 0.5; the answer agrees = 1; mean 0.75.
        var before = Result(Positive, (0, 4), (6, 9));
        var after = Result(Positive, (0, 4), (6, 10));

        Assert.Equal(0.75, SelfAgreement.Pair(new AnswerPair(before, after, 20)), 1e-12);
    }

    [Fact]
    public void Pair_QuestionLeftOut_CountsAsADisagreement()
    {
        var before = new AnnotationResult([], [new AnswerValue("sentiment", Positive)]);

        Assert.Equal(0.0, SelfAgreement.Pair(new AnswerPair(before, AnnotationResult.Empty, 20)));
    }

    [Fact]
    public void Over_TwoCategories_UsesCohensKappa()
    {
        // 2x2 table [[2,1],[0,1]] over 4 retests: p_o = 0.75, p_e = 0.75*0.5 + 0.25*0.5 = 0.5, kappa = 0.5.
        AnswerPair P(Guid a, Guid b) => new(new AnnotationResult([], [new AnswerValue("sentiment", a)]), new AnnotationResult([], [new AnswerValue("sentiment", b)]), 10);
        var result = SelfAgreement.Over([P(Positive, Positive), P(Positive, Positive), P(Positive, Negative), P(Negative, Negative)]);

        Assert.Equal(0.5, result.Kappa!.Value, 1e-12);
        Assert.Equal(0.75, result.AnswerAgreement!.Value, 1e-12);
        Assert.Null(result.SpanF1);
        Assert.Equal(0.5, result.Agreement, 1e-12);
        Assert.Equal(1, result.Changed);
        Assert.False(result.KappaUndefined);
    }

    [Fact]
    public void Over_OneCategoryOnly_FallsBackToPercentAgreement_AndSaysSo()
    {
        var pairs = Enumerable.Range(0, 3).Select(_ => new AnswerPair(Result(Positive, (0, 4)), Result(Positive, (0, 5)), 10)).ToList();

        var result = SelfAgreement.Over(pairs);

        Assert.Null(result.Kappa);
        Assert.True(result.KappaUndefined);
        Assert.Equal(0.0, result.SpanF1!.Value);
        Assert.Equal(0.5, result.Agreement, 1e-12);
    }
}
