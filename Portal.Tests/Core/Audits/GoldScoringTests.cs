using Portal.Core.Audits;
using Portal.Core.Labeling;

namespace Portal.Tests.Core.Audits;

public class GoldScoringTests
{
    private static readonly Guid Person = Guid.Parse("10000000-0000-0000-0000-000000000001");
    private static readonly Guid Place = Guid.Parse("10000000-0000-0000-0000-000000000002");
    private static readonly Guid Positive = Guid.Parse("20000000-0000-0000-0000-000000000001");
    private static readonly Guid Negative = Guid.Parse("20000000-0000-0000-0000-000000000002");
    private static readonly (string, bool)[] Questions = [("entities", true), ("sentiment", false)];

    [Fact]
    public void Score_SameAnswer_IsOne()
    {
        var gold = new AnnotationResult([new("entities", Person, 0, 5), new("entities", Place, 10, 16)], [new("sentiment", Positive)]);

        var score = GoldScoring.Score(gold, gold with { Spans = [.. gold.Spans.Reverse()] }, Questions, 40);

        Assert.Equal(1, score.Score);
        Assert.Equal(1, score.SpanF1Exact);
        Assert.Equal(1, score.ChoiceAccuracy);
    }

    [Fact]
    public void Score_ABoundaryMiss_CountsForOverlapButNotExact_AndAWrongChoiceHalvesTheRest()
    {
        var gold = new AnnotationResult([new("entities", Person, 0, 5), new("entities", Place, 10, 16)], [new("sentiment", Positive)]);
        var work = new AnnotationResult([new("entities", Person, 0, 5), new("entities", Place, 10, 15)], [new("sentiment", Negative)]);

        var score = GoldScoring.Score(gold, work, Questions, 40);

        // Exact: 1 of 2 spans on each side -> F1 0.5; overlap (IoU 5/6 >= 0.5) -> 1; choice wrong -> 0; task = (0.5 + 0) / 2.
        Assert.Equal(0.5, score.SpanF1Exact!.Value, 1e-12);
        Assert.Equal(1, score.SpanF1Overlap!.Value, 1e-12);
        Assert.Equal(0, score.ChoiceAccuracy);
        Assert.Equal(0.25, score.Score, 1e-12);
        Assert.Equal(1, score.PerLabel[Person]);
        Assert.Equal(0, score.PerLabel[Place]);
    }

    [Fact]
    public void Rolling_AveragesTheLastWindow()
    {
        Assert.Null(GoldScoring.Rolling([], 5));
        Assert.Equal(0.25, GoldScoring.Rolling([1, 1, 0, 1, 0, 0], 4));
        Assert.Equal(0.5, GoldScoring.Rolling([1, 1, 0, 1, 0, 0], 6));
    }

    [Fact]
    public void TaskScore_IsTheSameNumberAsScore_OnRandomResults()
    {
        // Spans that coincide, duplicate, nest or miss; choices equal, different or absent; two span questions.
        var random = new Random(42);
        (string, bool)[] questions = [("entities", true), ("places", true), ("sentiment", false), ("topic", false)];
        AnnotationResult Draw() => new(
            [.. Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
            {
                var start = random.Next(0, 6) * 5;
                return new SpanValue(random.Next(2) == 0 ? "entities" : "places", random.Next(2) == 0 ? Person : Place, start, start + (random.Next(1, 3) * 5));
            })],
            [.. new[] { "sentiment", "topic" }.Where(_ => random.Next(3) > 0).Select(c => new AnswerValue(c, random.Next(2) == 0 ? Positive : Negative))]);

        for (var i = 0; i < 2_000; i++)
        {
            var (a, b) = (Draw(), Draw());
            Assert.Equal(GoldScoring.Score(a, b, questions, 60).Score, GoldScoring.TaskScore(a, b, questions), 12);
        }

        Assert.Equal(1, GoldScoring.TaskScore(AnnotationResult.Empty, AnnotationResult.Empty, questions));
        Assert.Equal(1, GoldScoring.TaskScore(AnnotationResult.Empty, AnnotationResult.Empty, []));
    }
}
