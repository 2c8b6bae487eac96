namespace Portal.Core.Agreement;

/// <summary>A unit on the continuum: [Offset, Offset + Length), coded by a rater with a category index.</summary>
public readonly record struct UnitizingUnit(long Offset, long Length, int Rater, int Category);

public sealed record UnitizingCategoryResult(double? Alpha, double ObservedDisagreement, double ExpectedDisagreement, int Units);

public sealed record UnitizingResult(
    double? Alpha, double? ObservedDisagreement, double? ExpectedDisagreement, IReadOnlyList<UnitizingCategoryResult> PerCategory);

/// <summary>
/// Krippendorff's unitizing alpha (alpha_U; Krippendorff 1995, 2004: 251-256) with DKPro's conventions
/// (KrippendorffAlphaUnitizingAgreement): per category, each rater's continuum splits into that rater's units and
/// the gaps between them. DKPro's expected disagreement scans every gap for every unit (quadratic); here the gap
/// lengths are sorted once and each unit's sum comes from a binary search over prefix sums, and the observed
/// disagreement is one merge sweep per rater pair. O(n log n) overall.
/// </summary>
public static class UnitizingAlpha
{
    /// <summary>
    /// Unitizing alpha of a span study: the continuum is the concatenation of the task texts that every annotator
    /// annotated (alpha_U assumes each rater covers the whole continuum), categories are the study's labels.
    /// </summary>
    public static UnitizingResult ForStudy(SpanStudy study)
    {
        var units = new List<UnitizingUnit>();
        long continuum = 0;
        foreach (var task in study.Tasks)
        {
            if (task.ByAnnotator.Any(a => a is null))
            {
                continue;
            }

            for (var a = 0; a < task.ByAnnotator.Count; a++)
            {
                foreach (var span in task.ByAnnotator[a]!)
                {
                    units.Add(new UnitizingUnit(continuum + span.Start, span.Length, a, span.Label));
                }
            }

            continuum += task.TextLength;
        }

        return Compute(0, continuum, study.Annotators.Count, study.Labels.Count, units);
    }

    /// <summary>
    /// Unitizing alpha for a study where each annotator covers only part of the texts (a real project's overlap design):
    /// alpha_U of every annotator pair on the texts both annotated (a complete two-rater continuum), averaged with each
    /// pair weighted by the length of text it shares. Null when no two annotators share a text. Equals
    /// <see cref="ForStudy"/> for two annotators who annotated the same texts.
    /// </summary>
    public static (double? Alpha, int Tasks) PairwiseForStudy(SpanStudy study)
    {
        double weighted = 0, weights = 0;
        var shared = new HashSet<int>();
        for (var a = 0; a < study.Annotators.Count; a++)
        {
            for (var b = a + 1; b < study.Annotators.Count; b++)
            {
                var units = new List<UnitizingUnit>();
                long continuum = 0;
                for (var t = 0; t < study.Tasks.Count; t++)
                {
                    var task = study.Tasks[t];
                    if (task.ByAnnotator[a] is not { } first || task.ByAnnotator[b] is not { } second)
                    {
                        continue;
                    }

                    units.AddRange(first.Select(s => new UnitizingUnit(continuum + s.Start, s.Length, 0, s.Label)));
                    units.AddRange(second.Select(s => new UnitizingUnit(continuum + s.Start, s.Length, 1, s.Label)));
                    continuum += task.TextLength;
                    shared.Add(t);
                }

                if (continuum > 0 && Compute(0, continuum, 2, study.Labels.Count, units).Alpha is { } alpha && double.IsFinite(alpha))
                {
                    weighted += alpha * continuum;
                    weights += continuum;
                }
            }
        }

        return (weights > 0 ? weighted / weights : null, shared.Count);
    }

    /// <summary>
    /// Units of one rater and category that overlap are merged into their union first (DKPro requires that they
    /// do not overlap; nested spans with the same label would otherwise break the sweep).
    /// </summary>
    public static UnitizingResult Compute(long begin, long length, int raters, int categories, IReadOnlyList<UnitizingUnit> units)
    {
        if (length <= 0 || raters < 2)
        {
            return new UnitizingResult(null, null, null, [.. Enumerable.Repeat(new UnitizingCategoryResult(null, 0, 0, 0), categories)]);
        }

        var sorted = new UnitizingUnit[units.Count];
        for (var i = 0; i < units.Count; i++)
        {
            var u = units[i];
            if (u.Length <= 0 || u.Offset < begin || u.Offset + u.Length > begin + length)
            {
                throw new AgreementInputException($"Unit [{u.Offset}, {u.Offset + u.Length}) lies outside the continuum [{begin}, {begin + length}) or is empty.");
            }

            if ((uint)u.Rater >= (uint)raters || (uint)u.Category >= (uint)categories)
            {
                throw new AgreementInputException($"Unit [{u.Offset}, {u.Offset + u.Length}) has rater {u.Rater} or category {u.Category} out of range.");
            }

            sorted[i] = u;
        }

        Array.Sort(sorted, static (x, y) =>
            x.Category != y.Category ? x.Category.CompareTo(y.Category)
            : x.Rater != y.Rater ? x.Rater.CompareTo(y.Rater)
            : x.Offset != y.Offset ? x.Offset.CompareTo(y.Offset)
            : x.Length.CompareTo(y.Length));
        var merged = MergeOverlaps(sorted);

        var perCategory = new UnitizingCategoryResult[categories];
        double observedSum = 0, expectedSum = 0;
        var anyUnits = false;
        var start = 0;
        var ranges = new (int Start, int End)[raters];
        for (var c = 0; c < categories; c++)
        {
            // The units of category c, grouped by rater (already sorted that way).
            var end = start;
            while (end < merged.Count && merged[end].Category == c)
            {
                end++;
            }

            for (var r = 0; r < raters; r++)
            {
                ranges[r] = (start, start);
            }

            for (var i = start; i < end;)
            {
                var r = merged[i].Rater;
                var j = i;
                while (j < end && merged[j].Rater == r)
                {
                    j++;
                }

                ranges[r] = (i, j);
                i = j;
            }

            var unitsOfC = end - start;
            var observed = Observed(merged, ranges, begin, length, raters);
            var expected = unitsOfC == 0 ? 0 : Expected(merged, start, end, ranges, begin, length, raters);
            perCategory[c] = new UnitizingCategoryResult(
                unitsOfC == 0 || expected == 0 ? null : 1 - (observed / expected), observed, expected, unitsOfC);
            observedSum += observed;
            expectedSum += expected;
            anyUnits |= unitsOfC > 0;
            start = end;
        }

        // Overall: 1 - mean D_o / mean D_e over the categories (the means' common factor cancels).
        return anyUnits && expectedSum > 0
            ? new UnitizingResult(1 - (observedSum / expectedSum), observedSum / categories, expectedSum / categories, perCategory)
            : new UnitizingResult(null, anyUnits ? observedSum / categories : null, anyUnits ? expectedSum / categories : null, perCategory);
    }

    private static List<UnitizingUnit> MergeOverlaps(UnitizingUnit[] sorted)
    {
        var result = new List<UnitizingUnit>(sorted.Length);
        foreach (var u in sorted)
        {
            if (result.Count > 0)
            {
                var last = result[^1];
                if (last.Category == u.Category && last.Rater == u.Rater && u.Offset < last.Offset + last.Length)
                {
                    var end = Math.Max(last.Offset + last.Length, u.Offset + u.Length);
                    result[^1] = last with { Length = end - last.Offset };
                    continue;
                }
            }

            result.Add(u);
        }

        return result;
    }

    /// <summary>D_o(c) = 2/(R(R-1)L²) · Σ over rater pairs and overlapping segment pairs of δ.</summary>
    private static double Observed(List<UnitizingUnit> units, (int Start, int End)[] ranges, long begin, long length, int raters)
    {
        double sum = 0;
        for (var r1 = 0; r1 < raters; r1++)
        {
            for (var r2 = r1 + 1; r2 < raters; r2++)
            {
                sum += PairSweep(units, ranges[r1], ranges[r2], begin, length);
            }
        }

        return 2.0 * sum / ((double)raters * (raters - 1) * length * length);
    }

    /// <summary>Walks two raters' segment sequences (units and gaps) together; each overlapping pair is measured once.</summary>
    private static double PairSweep(List<UnitizingUnit> units, (int Start, int End) first, (int Start, int End) second, long begin, long length)
    {
        var stop = begin + length;
        int next1 = first.Start, next2 = second.Start;
        long offset1 = begin, length1 = 0, offset2 = begin, length2 = 0;
        bool unit1 = false, unit2 = false;
        long pos = begin;
        double sum = 0;
        while (pos < stop && (next1 < first.End || next2 < second.End))
        {
            if (pos == offset1 + length1)
            {
                Advance(units, pos, stop, first.End, ref next1, ref offset1, ref length1, ref unit1);
            }

            if (pos == offset2 + length2)
            {
                Advance(units, pos, stop, second.End, ref next2, ref offset2, ref length2, ref unit2);
            }

            sum += Distance(offset1, length1, unit1, offset2, length2, unit2);
            pos = Math.Min(offset1 + length1, offset2 + length2);
        }

        return sum;
    }

    /// <summary>A rater's next segment from <paramref name="pos"/>: their next unit if it starts here, else the gap up to it.</summary>
    private static void Advance(List<UnitizingUnit> units, long pos, long stop, int end, ref int next, ref long offset, ref long length, ref bool isUnit)
    {
        if (next < end && pos == units[next].Offset)
        {
            length = units[next].Length;
            isUnit = true;
            next++;
        }
        else
        {
            length = (next < end ? units[next].Offset : stop) - pos;
            isUnit = false;
        }

        offset = pos;
    }

    /// <summary>
    /// δ between two segments: for two overlapping units the squared differences of their begins and ends; for a
    /// unit lying inside the other rater's gap its squared length; otherwise 0.
    /// </summary>
    public static double Distance(long offset1, long length1, bool isUnit1, long offset2, long length2, bool isUnit2)
    {
        var beginDiff = (double)(offset1 - offset2);
        var lengthDiff = (double)(length1 - length2);
        if (isUnit1 && isUnit2 && -length1 < beginDiff && beginDiff < length2)
        {
            return (beginDiff * beginDiff) + ((beginDiff + lengthDiff) * (beginDiff + lengthDiff));
        }

        if (isUnit1 && !isUnit2 && -lengthDiff >= beginDiff && beginDiff >= 0)
        {
            return (double)length1 * length1;
        }

        if (!isUnit1 && isUnit2 && -lengthDiff <= beginDiff && beginDiff <= 0)
        {
            return (double)length2 * length2;
        }

        return 0;
    }

    /// <summary>
    /// D_e(c) = (2/L) Σ_u [ (N_c-1)(2l³-3l²+l)/3 + l² Σ_{gaps g ≥ l} (g-l+1) ] / (R L (R L - 1) - Σ_u l(l-1)).
    /// </summary>
    private static double Expected(List<UnitizingUnit> units, int start, int end, (int Start, int End)[] ranges, long begin, long length, int raters)
    {
        var gaps = new List<long>(end - start + raters);
        for (var r = 0; r < raters; r++)
        {
            var pos = begin;
            for (var i = ranges[r].Start; i < ranges[r].End; i++)
            {
                if (units[i].Offset > pos)
                {
                    gaps.Add(units[i].Offset - pos);
                }

                pos = units[i].Offset + units[i].Length;
            }

            if (begin + length > pos)
            {
                gaps.Add(begin + length - pos);
            }
        }

        gaps.Sort();
        // suffix[i] = Σ gaps[i..], so the gaps ≥ l are gaps[k..] with k from a binary search.
        var suffix = new double[gaps.Count + 1];
        for (var i = gaps.Count - 1; i >= 0; i--)
        {
            suffix[i] = suffix[i + 1] + gaps[i];
        }

        var unitCount = end - start;
        double total = 0, squaredLengths = 0;
        for (var i = start; i < end; i++)
        {
            double l = units[i].Length;
            squaredLengths += l * (l - 1);
            var k = LowerBound(gaps, units[i].Length);
            var longGaps = gaps.Count - k;
            var gapSum = suffix[k] - (longGaps * (l - 1));
            total += ((unitCount - 1) * ((2 * l * l * l) - (3 * l * l) + l) / 3) + (l * l * gapSum);
        }

        var rl = (double)raters * length;
        return total * (2.0 / length) / ((rl * (rl - 1)) - squaredLengths);
    }

    private static int LowerBound(List<long> sorted, long value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
