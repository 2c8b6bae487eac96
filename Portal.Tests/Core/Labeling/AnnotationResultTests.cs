using Portal.Core.Labeling;

namespace Portal.Tests.Core.Labeling;

public class AnnotationResultTests
{
    private static readonly Guid Person = Guid.NewGuid();
    private static readonly Guid City = Guid.NewGuid();

    [Fact]
    public void ToJson_SpanStorageOrder_DoesNotMatter()
    {
        var a = new AnnotationResult([new("entities", Person, 10, 15), new("entities", City, 0, 4)], []);
        var b = new AnnotationResult([new("entities", City, 0, 4), new("entities", Person, 10, 15)], []);
        Assert.Equal(a.ToJson(), b.ToJson());
    }

    [Fact]
    public void FromJson_RoundTrips()
    {
        var result = new AnnotationResult([new("entities", Person, 3, 9), new("entities", City, 3, 9)], [new("sentiment", City)]);
        var back = AnnotationResult.FromJson(result.ToJson());
        Assert.Equal(result.Spans.OrderBy(s => s.Label), back.Spans.OrderBy(s => s.Label));
        Assert.Equal(result.Answers, back.Answers);
    }
}
