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

    [Fact]
    public void FromJson_StoredBeforeFreeTextAndRelations_ReadsWithNone_AndWritesTheSameJson()
    {
        var old = $$"""{"spans":[{"control":"entities","label":"{{Person}}","start":0,"end":4}],"answers":[]}""";

        var read = AnnotationResult.FromJson(old);

        Assert.Empty(read.Texts);
        Assert.Empty(read.Relations);
        Assert.Equal(old, read.ToJson());
    }

    [Fact]
    public void ToJson_RelationsNameTheirSpansByValue_AndSurviveTheCanonicalOrder()
    {
        var maria = new SpanValue("entities", Person, 10, 15);
        var hamburg = new SpanValue("entities", City, 0, 4);
        var type = Guid.NewGuid();
        var result = new AnnotationResult([maria, hamburg], [])
        {
            Texts = [new("summary", "Maria lives in Hamburg.")],
            Relations = [new("relations", maria, hamburg, type), new("relations", hamburg, maria, null)],
        };
        var reordered = result with { Spans = [hamburg, maria], Relations = [.. result.Relations.Reverse()] };

        var back = AnnotationResult.FromJson(result.ToJson());

        Assert.Equal(result.ToJson(), reordered.ToJson());
        Assert.Equal([hamburg, maria], back.Spans);
        Assert.Contains(new RelationValue("relations", maria, hamburg, type), back.Relations);
        Assert.Contains(new RelationValue("relations", hamburg, maria, null), back.Relations);
        Assert.Equal("Maria lives in Hamburg.", Assert.Single(back.Texts).Text);
    }

    [Fact]
    public void WithoutSpans_RemovesTheRelationsThatUsedThem()
    {
        var maria = new SpanValue("entities", Person, 10, 15);
        var hamburg = new SpanValue("entities", City, 0, 4);
        var other = new SpanValue("entities", City, 20, 24);
        var result = new AnnotationResult([maria, hamburg, other], [])
        {
            Relations = [new("relations", maria, hamburg, null), new("relations", hamburg, other, null)],
        };

        var left = result.WithoutSpans([maria]);

        Assert.Equal([hamburg, other], left.Spans);
        Assert.Equal(new RelationValue("relations", hamburg, other, null), Assert.Single(left.Relations));
    }
}
