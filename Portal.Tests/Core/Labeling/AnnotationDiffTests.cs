using Portal.Core.Labeling;

namespace Portal.Tests.Core.Labeling;

public class AnnotationDiffTests
{
    private static readonly Guid Person = Guid.NewGuid();
    private static readonly Guid City = Guid.NewGuid();
    private static readonly Guid Complaint = Guid.NewGuid();
    private static readonly Guid Praise = Guid.NewGuid();

    [Fact]
    public void Between_ReportsAddedAndRemovedSpansAndAnswers_RegardlessOfOrder()
    {
        var before = new AnnotationResult([new("entities", Person, 0, 5), new("entities", City, 10, 17)], [new("intent", Complaint)]);
        var after = new AnnotationResult([new("entities", City, 10, 17), new("entities", City, 0, 5)], [new("intent", Praise)]);

        var diff = AnnotationDiff.Between(before, after);

        Assert.Equal([new SpanValue("entities", City, 0, 5)], diff.AddedSpans);
        Assert.Equal([new SpanValue("entities", Person, 0, 5)], diff.RemovedSpans);
        Assert.Equal([new AnswerValue("intent", Praise)], diff.AddedAnswers);
        Assert.Equal([new AnswerValue("intent", Complaint)], diff.RemovedAnswers);
        Assert.True(AnnotationDiff.Between(after, new AnnotationResult([.. after.Spans.Reverse()], after.Answers)).IsEmpty);
        Assert.Equal(2, AnnotationDiff.Between(null, before).AddedSpans.Count);
    }
}
