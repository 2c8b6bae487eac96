namespace Portal.Core.Agreement;

public sealed record SpanPairResult(string A, string B, double? F1, long Tp, long FpA, long FpB);

public sealed record SpanF1Result(double? Mean, IReadOnlyList<SpanPairResult> Pairs, IReadOnlyDictionary<string, double?> PerLabel);

/// <summary>
/// Pairwise span F1 between annotators: exact (same start, end and label) or overlap (same label and IoU at
/// least a threshold, each span matched at most once). Counts are summed over tasks before dividing (micro);
/// only tasks both annotators annotated count for a pair. Linear in spans (plus sorting within a task).
/// </summary>
public static class SpanAgreement
{
    public static SpanF1Result ExactF1(SpanStudy study) => Compute(study, iouThreshold: null);

    /// <summary>Overlap F1: a pair of same-label spans matches when IoU ≥ <paramref name="iouThreshold"/>.</summary>
    public static SpanF1Result OverlapF1(SpanStudy study, double iouThreshold = 0.5)
    {
        if (iouThreshold is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "The IoU threshold must be in (0, 1].");
        }

        return Compute(study, iouThreshold);
    }

    private static SpanF1Result Compute(SpanStudy study, double? iouThreshold)
    {
        var annotators = study.Annotators.Count;
        var labels = study.Labels.Count;
        var pairs = new List<(int A, int B)>();
        for (var a = 0; a < annotators; a++)
        {
            for (var b = a + 1; b < annotators; b++)
            {
                pairs.Add((a, b));
            }
        }

        // Per pair and label: matched, |A|, |B|.
        var tp = new long[pairs.Count * Math.Max(1, labels)];
        var sizeA = new long[tp.Length];
        var sizeB = new long[tp.Length];
        var matcher = new OverlapMatcher();
        foreach (var task in study.Tasks)
        {
            for (var p = 0; p < pairs.Count; p++)
            {
                var spansA = task.ByAnnotator[pairs[p].A];
                var spansB = task.ByAnnotator[pairs[p].B];
                if (spansA is null || spansB is null)
                {
                    continue;
                }

                var offset = p * labels;
                foreach (var s in spansA)
                {
                    sizeA[offset + s.Label]++;
                }

                foreach (var s in spansB)
                {
                    sizeB[offset + s.Label]++;
                }

                if (iouThreshold is { } threshold)
                {
                    matcher.Match(spansA, spansB, threshold, tp.AsSpan(offset, labels));
                }
                else
                {
                    CountExact(spansA, spansB, tp.AsSpan(offset, labels));
                }
            }
        }

        return Summarize(study, pairs, tp, sizeA, sizeB);
    }

    /// <summary>F1 per pair (micro over labels and tasks) and per label (the mean over pairs where the label occurs).</summary>
    private static SpanF1Result Summarize(SpanStudy study, List<(int A, int B)> pairs, long[] tp, long[] sizeA, long[] sizeB)
    {
        var labels = study.Labels.Count;
        var pairResults = new List<SpanPairResult>(pairs.Count);
        var perLabelSums = new double[labels];
        var perLabelCounts = new int[labels];
        for (var p = 0; p < pairs.Count; p++)
        {
            long t = 0, na = 0, nb = 0;
            for (var l = 0; l < labels; l++)
            {
                var i = (p * labels) + l;
                t += tp[i];
                na += sizeA[i];
                nb += sizeB[i];
                if (sizeA[i] + sizeB[i] > 0)
                {
                    perLabelSums[l] += 2.0 * tp[i] / (sizeA[i] + sizeB[i]);
                    perLabelCounts[l]++;
                }
            }

            pairResults.Add(new SpanPairResult(study.Annotators[pairs[p].A], study.Annotators[pairs[p].B],
                na + nb == 0 ? null : 2.0 * t / (na + nb), t, na - t, nb - t));
        }

        var defined = pairResults.Where(r => r.F1 is not null).Select(r => r.F1!.Value).ToList();
        var perLabel = new SortedDictionary<string, double?>(StringComparer.Ordinal);
        for (var l = 0; l < labels; l++)
        {
            perLabel[study.Labels[l]] = perLabelCounts[l] == 0 ? null : perLabelSums[l] / perLabelCounts[l];
        }

        return new SpanF1Result(defined.Count == 0 ? null : defined.Average(), pairResults, perLabel);
    }

    /// <summary>
    /// One task's agreement for routing (consensus or more annotators): the mean pairwise F1 among the annotators
    /// who annotated it, exact or with an IoU threshold. Two empty annotations agree (1); fewer than two
    /// annotators give null.
    /// </summary>
    public static double? TaskScore(SpanTask task, int labelCount, double? iouThreshold = null)
    {
        var annotated = task.ByAnnotator.Where(a => a is not null).Select(a => a!).ToList();
        if (annotated.Count < 2)
        {
            return null;
        }

        var tp = new long[Math.Max(1, labelCount)];
        var matcher = iouThreshold is null ? null : new OverlapMatcher();
        double sum = 0;
        var pairs = 0;
        for (var a = 0; a < annotated.Count; a++)
        {
            for (var b = a + 1; b < annotated.Count; b++)
            {
                Array.Clear(tp);
                if (matcher is not null)
                {
                    matcher.Match(annotated[a], annotated[b], iouThreshold!.Value, tp);
                }
                else
                {
                    CountExact(annotated[a], annotated[b], tp);
                }

                var size = annotated[a].Length + annotated[b].Length;
                sum += size == 0 ? 1 : 2.0 * tp.Sum() / size;
                pairs++;
            }
        }

        return sum / pairs;
    }

    /// <summary>Both arrays are sorted and distinct: a merge counts the common spans per label.</summary>
    private static void CountExact(LabeledSpan[] a, LabeledSpan[] b, Span<long> tp)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            var c = a[i].CompareTo(b[j]);
            if (c == 0)
            {
                tp[a[i].Label]++;
                i++;
                j++;
            }
            else if (c < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }
    }

    public static double Iou(int startA, int endA, int startB, int endB)
    {
        var intersection = Math.Min(endA, endB) - Math.Max(startA, startB);
        if (intersection <= 0)
        {
            return 0;
        }

        var union = Math.Max(endA, endB) - Math.Min(startA, startB);
        return union == 0 ? 0 : (double)intersection / union;
    }

    /// <summary>Greedy one-to-one matching by descending IoU (ties by position), reusing its buffers across tasks.</summary>
    private sealed class OverlapMatcher
    {
        private readonly List<(double Iou, int I, int J)> candidates = [];
        private bool[] usedA = new bool[16];
        private bool[] usedB = new bool[16];

        public void Match(LabeledSpan[] a, LabeledSpan[] b, double threshold, Span<long> tp)
        {
            candidates.Clear();
            // Both sorted by start. A span of B starting before a[i].Start - (longest B span) ends before a[i]
            // starts, and a[i].Start only grows: so the window's left edge only moves right.
            var longest = 0;
            foreach (var s in b)
            {
                longest = Math.Max(longest, s.Length);
            }

            var first = 0;
            for (var i = 0; i < a.Length; i++)
            {
                while (first < b.Length && b[first].Start + longest <= a[i].Start)
                {
                    first++;
                }

                for (var j = first; j < b.Length && b[j].Start < a[i].End; j++)
                {
                    if (b[j].Label != a[i].Label)
                    {
                        continue;
                    }

                    var iou = Iou(a[i].Start, a[i].End, b[j].Start, b[j].End);
                    if (iou >= threshold)
                    {
                        candidates.Add((iou, i, j));
                    }
                }
            }

            if (candidates.Count == 0)
            {
                return;
            }

            candidates.Sort((x, y) => y.Iou != x.Iou ? y.Iou.CompareTo(x.Iou) : x.I != y.I ? x.I.CompareTo(y.I) : x.J.CompareTo(y.J));
            if (usedA.Length < a.Length)
            {
                usedA = new bool[a.Length * 2];
            }

            if (usedB.Length < b.Length)
            {
                usedB = new bool[b.Length * 2];
            }

            Array.Clear(usedA, 0, a.Length);
            Array.Clear(usedB, 0, b.Length);
            foreach (var (_, i, j) in candidates)
            {
                if (!usedA[i] && !usedB[j])
                {
                    usedA[i] = usedB[j] = true;
                    tp[a[i].Label]++;
                }
            }
        }
    }

    /// <summary>
    /// Label Studio's span agreement (evalme TextTagsEvalItem): for each span of <paramref name="second"/> the best
    /// label-matching IoU with a span of <paramref name="first"/> (1/0 when above a threshold, strictly), averaged
    /// with label weights. Asymmetric; both empty gives 1, one empty 0.
    /// </summary>
    public static double LabelStudioScore(
        IReadOnlyList<(int Start, int End, IReadOnlyList<string> Labels)> first,
        IReadOnlyList<(int Start, int End, IReadOnlyList<string> Labels)> second,
        double? iouThreshold = null,
        IReadOnlyDictionary<string, double>? labelWeights = null)
    {
        if (first.Count == 0 && second.Count == 0)
        {
            return 1;
        }

        if (first.Count == 0 || second.Count == 0)
        {
            return 0;
        }

        double total = 0, weights = 0;
        foreach (var p in second)
        {
            var best = 0.0;
            foreach (var g in first)
            {
                if (g.Labels.Order(StringComparer.Ordinal).SequenceEqual(p.Labels.Order(StringComparer.Ordinal), StringComparer.Ordinal))
                {
                    best = Math.Max(best, Iou(g.Start, g.End, p.Start, p.End));
                }
            }

            if (iouThreshold is { } t)
            {
                best = best > t ? 1 : 0;
            }

            var weight = p.Labels.Sum(l => labelWeights is not null && labelWeights.TryGetValue(l, out var w) ? w : 1.0);
            total += best * weight;
            weights += weight;
        }

        return weights == 0 ? 0 : total / weights;
    }

    /// <summary>Intersection over union of two boxes [x1, y1, x2, y2]; touching boxes give 0.</summary>
    public static double BoxIou(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2)
    {
        var width = Math.Min(ax2, bx2) - Math.Max(ax1, bx1);
        var height = Math.Min(ay2, by2) - Math.Max(ay1, by1);
        if (width <= 0 || height <= 0)
        {
            return 0;
        }

        var intersection = width * height;
        var union = ((ax2 - ax1) * (ay2 - ay1)) + ((bx2 - bx1) * (by2 - by1)) - intersection;
        return union <= 0 ? 0 : intersection / union;
    }
}
