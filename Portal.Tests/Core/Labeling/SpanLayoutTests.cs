using Portal.Core.Labeling;

namespace Portal.Tests.Core.Labeling;

public class SpanLayoutTests
{
    [Fact]
    public void Segments_NestedAndOverlappingSpans_EachSegmentKnowsItsSpans_InnermostFirst()
    {
        // 0         1         2
        // 0123456789012345678901234
        // [ span 0: 0-20           ]
        //      [ 1: 5-10]
        //         [ 2: 8-25              ]
        var segments = SpanLayout.Segments(30, [(0, 20), (5, 10), (8, 25)]);

        Assert.Equal(
            [(0, 5, "0"), (5, 8, "1,0"), (8, 10, "1,2,0"), (10, 20, "2,0"), (20, 25, "2"), (25, 30, "")],
            segments.Select(s => (s.Start, s.End, string.Join(",", s.Spans))));
    }

    [Fact]
    public void Segments_NoSpans_IsTheWholeText() =>
        Assert.Equal((0, 12), SpanLayout.Segments(12, []).Select(s => (s.Start, s.End)).Single());

    [Fact]
    public void Segments_CoverTheTextExactlyOnce()
    {
        var random = new Random(3);
        var spans = Enumerable.Range(0, 40).Select(_ => random.Next(100)).Select(s => (s, s + 1 + random.Next(20))).ToList();
        var segments = SpanLayout.Segments(130, spans);
        Assert.Equal(0, segments[0].Start);
        Assert.Equal(130, segments[^1].End);
        Assert.All(segments.Zip(segments.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Start));
        Assert.All(segments, s => Assert.All(s.Spans, i => Assert.True(spans[i].Item1 <= s.Start && s.End <= spans[i].Item2)));
    }
}
