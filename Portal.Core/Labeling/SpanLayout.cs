namespace Portal.Core.Labeling;

/// <summary>A run of text covered by the same spans; <see cref="Spans"/> are indexes, innermost (shortest) first.</summary>
public sealed record TextSegment(int Start, int End, IReadOnlyList<int> Spans);

/// <summary>
/// Cuts a text at every span boundary so nested and overlapping spans can be drawn: each segment knows which spans
/// cover it. O(n log n) in spans plus the text length.
/// </summary>
public static class SpanLayout
{
    public static IReadOnlyList<TextSegment> Segments(int textLength, IReadOnlyList<(int Start, int End)> spans)
    {
        var cuts = new SortedSet<int> { 0, textLength };
        foreach (var (start, end) in spans)
        {
            cuts.Add(Math.Clamp(start, 0, textLength));
            cuts.Add(Math.Clamp(end, 0, textLength));
        }

        var points = cuts.ToArray();
        var byStart = Enumerable.Range(0, spans.Count).OrderBy(i => spans[i].Start).ToArray();
        var active = new List<int>();
        var next = 0;
        var segments = new List<TextSegment>(points.Length);
        for (var p = 0; p + 1 < points.Length; p++)
        {
            var (start, end) = (points[p], points[p + 1]);
            active.RemoveAll(i => spans[i].End <= start);
            while (next < byStart.Length && spans[byStart[next]].Start <= start)
            {
                if (spans[byStart[next]].End > start)
                {
                    active.Add(byStart[next]);
                }

                next++;
            }

            segments.Add(new TextSegment(start, end, [.. active.OrderBy(i => spans[i].End - spans[i].Start).ThenBy(i => i)]));
        }

        return segments;
    }
}
