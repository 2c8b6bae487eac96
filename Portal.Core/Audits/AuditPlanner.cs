namespace Portal.Core.Audits;

/// <summary>Where an annotation's answers came from: typed by a person, a suggestion the person accepted, or an import.</summary>
public enum AnnotationSource
{
    Human = 0,
    AcceptedSuggestion = 1,
    Import = 2,

    /// <summary>Relabeled on a drift finding or a taxonomy change: a new revision of earlier work.</summary>
    Relabel = 3,
}

public enum AuditSizing
{
    /// <summary>Each annotator's sample is sized for the target margin of error at the chosen confidence.</summary>
    MarginOfError = 0,

    /// <summary>A plain percentage of each stratum.</summary>
    Percent = 1,
}

/// <summary>One cell of the stratification: an annotator's work on one label (span label or choice value) from one source.</summary>
/// <param name="Label">The annotation's main label (most spans or answers; ties to the lowest key); null when it has none.</param>
public readonly record struct AuditStratum(Guid Annotator, Guid? Label, AnnotationSource Source);

/// <param name="Margin">Target half-width of each annotator's error-rate interval, e.g. 0.05 for +/-5 %.</param>
/// <param name="BadErrorRate">An annotator whose last estimate was at least this is audited more tightly.</param>
public sealed record AuditPlanSettings(
    AuditSizing Sizing = AuditSizing.MarginOfError, double Margin = 0.05, double Confidence = 0.95, int MinPerStratum = 2, double Percent = 5,
    double BadErrorRate = 0.10);

/// <summary>An annotator's error rate from the previous audit run, which steers this run's sample size.</summary>
public sealed record AnnotatorHistory(double Estimate, double HalfWidth);

/// <summary>How many items one annotator's sample gets, and why (shown on the audit run's page).</summary>
public sealed record AnnotatorPlan(Guid Annotator, int Population, int SampleSize, double PlanningRate, double Margin, string Reason);

public sealed record AuditPlan(IReadOnlyDictionary<AuditStratum, int> PerStratum, IReadOnlyList<AnnotatorPlan> Annotators)
{
    public int Total => PerStratum.Values.Sum();
}

/// <summary>Sizes and allocates a night's audit sample. Pure: the same counts, history and settings give the same plan.</summary>
public static class AuditPlanner
{
    /// <summary>
    /// The sample size for estimating a proportion to +/- <paramref name="margin"/> at <paramref name="confidence"/>
    /// (Cochran, Sampling Techniques, 3rd ed., 1977, eq. 4.1 and 4.2): n0 = z^2 p (1 - p) / e^2, then with the finite-population
    /// correction n = n0 / (1 + (n0 - 1) / N), rounded up and never more than the population.
    /// </summary>
    public static int SampleSize(double expectedRate, double margin, double confidence, long population)
    {
        if (population <= 0)
        {
            return 0;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(margin);
        var p = Math.Clamp(expectedRate, 0, 1);
        var z = Normal.Quantile(1 - (1 - confidence) / 2);
        var n0 = z * z * p * (1 - p) / (margin * margin);
        var n = n0 / (1 + (n0 - 1) / population);
        // 1e-9 absorbs floating-point noise so that an exact 384.0000000001 is not rounded up to 385.
        return (int)Math.Min(population, Math.Max(1, Math.Ceiling(n - 1e-9)));
    }

    public static AuditPlan Plan(IReadOnlyDictionary<AuditStratum, int> counts, IReadOnlyDictionary<Guid, AnnotatorHistory> history, AuditPlanSettings settings)
    {
        var perStratum = new Dictionary<AuditStratum, int>();
        var annotators = new List<AnnotatorPlan>();
        foreach (var group in counts.Where(c => c.Value > 0).GroupBy(c => c.Key.Annotator).OrderBy(g => g.Key))
        {
            var strata = group.OrderBy(s => s.Key.Label).ThenBy(s => s.Key.Source).ToList();
            var population = strata.Sum(s => s.Value);
            var plan = settings.Sizing == AuditSizing.Percent
                ? new AnnotatorPlan(group.Key, population, 0, double.NaN, double.NaN, $"{settings.Percent:0.##} % of each stratum")
                : SizeAnnotator(group.Key, population, history.GetValueOrDefault(group.Key), settings);
            var allocated = settings.Sizing == AuditSizing.Percent
                ? strata.Select(s => (s.Key, Math.Min(s.Value, Math.Max(settings.MinPerStratum, (int)Math.Ceiling(s.Value * settings.Percent / 100))))).ToList()
                : Allocate(strata, plan.SampleSize, settings.MinPerStratum);
            foreach (var (stratum, n) in allocated)
            {
                perStratum[stratum] = n;
            }

            annotators.Add(plan with { SampleSize = allocated.Sum(a => a.Item2) });
        }

        return new AuditPlan(perStratum, annotators);
    }

    /// <summary>
    /// Adaptive sizing: without history, the worst case p = 0.5; with a narrow interval from the last run, its upper bound
    /// (a cautious guess that needs fewer items for a good annotator); a last interval wider than the target counts as no
    /// history; an annotator whose last rate was bad is measured to half again as tight a margin.
    /// </summary>
    private static AnnotatorPlan SizeAnnotator(Guid annotator, int population, AnnotatorHistory? last, AuditPlanSettings settings)
    {
        var (rate, margin, reason) = last switch
        {
            null => (0.5, settings.Margin, "no earlier audit: sized for the worst case (50 %)"),
            { HalfWidth: var w } when w > settings.Margin => (0.5, settings.Margin, $"last interval was wide (+/-{w:P1}): sized as if unknown"),
            { Estimate: var e } when e >= settings.BadErrorRate =>
                (Math.Min(0.5, e + last.HalfWidth), settings.Margin / 1.5, $"last error rate was high ({e:P1}): a tighter margin"),
            _ => (Math.Min(0.5, last.Estimate + last.HalfWidth), settings.Margin, $"last error rate {last.Estimate:P1} +/- {last.HalfWidth:P1}"),
        };
        return new AnnotatorPlan(annotator, population, SampleSize(rate, margin, settings.Confidence, population), rate, margin, reason);
    }

    /// <summary>Proportional allocation by largest remainder, with a minimum per stratum (never more than the stratum holds).</summary>
    private static List<(AuditStratum, int)> Allocate(List<KeyValuePair<AuditStratum, int>> strata, int total, int minimum)
    {
        var population = strata.Sum(s => s.Value);
        var shares = strata.Select(s => (s.Key, s.Value, Exact: (double)total * s.Value / population)).ToList();
        var counts = shares.Select(s => (int)Math.Floor(s.Exact)).ToArray();
        var left = total - counts.Sum();
        foreach (var i in Enumerable.Range(0, shares.Count).OrderByDescending(i => shares[i].Exact - counts[i]).ThenBy(i => i).Take(left))
        {
            counts[i]++;
        }

        return [.. shares.Select((s, i) => (s.Key, Math.Min(s.Value, Math.Max(counts[i], minimum))))];
    }

    /// <summary>
    /// A stable pseudo-random rank of an item within a run: the same run key and item always rank the same, so a rerun or
    /// a retry after a crash picks exactly the same sample. FNV-1a over the key, mixed with the id by SplitMix64.
    /// </summary>
    public static ulong Rank(string runKey, long itemId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in runKey)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var z = hash + 0x9E3779B97F4A7C15UL * (ulong)itemId;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// Picks each stratum's sample in one pass over the items, in memory bounded by the sample: per stratum, the items with
/// the lowest <see cref="AuditPlanner.Rank"/> (a max-heap of the k best so far).
/// </summary>
public sealed class StratifiedSampler(string runKey, IReadOnlyDictionary<AuditStratum, int> quotas)
{
    private readonly Dictionary<AuditStratum, PriorityQueue<long, ulong>> kept = [];

    public void Offer(AuditStratum stratum, long itemId)
    {
        if (!quotas.TryGetValue(stratum, out var quota) || quota <= 0)
        {
            return;
        }

        if (!kept.TryGetValue(stratum, out var heap))
        {
            kept[stratum] = heap = new PriorityQueue<long, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
        }

        var rank = AuditPlanner.Rank(runKey, itemId);
        if (heap.Count < quota)
        {
            heap.Enqueue(itemId, rank);
        }
        else if (heap.TryPeek(out _, out var worst) && rank < worst)
        {
            heap.DequeueEnqueue(itemId, rank);
        }
    }

    /// <summary>The chosen items with their stratum, in a stable order (stratum, then id).</summary>
    public IReadOnlyList<(AuditStratum Stratum, long ItemId)> Sample() =>
        [.. kept.SelectMany(k => k.Value.UnorderedItems.Select(i => (k.Key, i.Element)))
            .OrderBy(x => x.Key.Annotator).ThenBy(x => x.Key.Label).ThenBy(x => x.Key.Source).ThenBy(x => x.Element)];
}
