using System.Text.Json;
using Portal.Core.Audits;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audits;

public class AuditPlannerTests
{
    private static readonly Guid Ana = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Ben = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Person = Guid.Parse("10000000-0000-0000-0000-000000000001");
    private static readonly Guid Place = Guid.Parse("10000000-0000-0000-0000-000000000002");

    public static TheoryData<string> Cases()
    {
        using var doc = Reference();
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampleSize_MatchesCochran(string id)
    {
        using var doc = Reference();
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);

        var n = AuditPlanner.SampleSize(c.GetProperty("p").GetDouble(), c.GetProperty("margin").GetDouble(), c.GetProperty("confidence").GetDouble(),
            c.GetProperty("population").GetInt64());

        Assert.Equal(c.GetProperty("expected").GetInt32(), n);
    }

    [Fact]
    public void Plan_SizesEachAnnotatorForTheMargin_AndSplitsByStratumWithAMinimum()
    {
        var counts = new Dictionary<AuditStratum, int>
        {
            [new(Ana, Person, AnnotationSource.Human)] = 900,
            [new(Ana, Place, AnnotationSource.Human)] = 99,
            [new(Ana, Place, AnnotationSource.Import)] = 1,
        };

        var plan = AuditPlanner.Plan(counts, new Dictionary<Guid, AnnotatorHistory>(), new AuditPlanSettings(MinPerStratum: 2));

        // 1,000 items at +/-5 % and 95 % without history: Cochran's 278, split 900 : 99 : 1 by largest remainder (250, 28, 0).
        Assert.Equal(250, plan.PerStratum[new(Ana, Person, AnnotationSource.Human)]);
        Assert.Equal(28, plan.PerStratum[new(Ana, Place, AnnotationSource.Human)]);
        // The minimum per stratum, but never more than the stratum holds.
        Assert.Equal(1, plan.PerStratum[new(Ana, Place, AnnotationSource.Import)]);
        Assert.Equal(279, plan.Total);
        Assert.Contains("worst case", Assert.Single(plan.Annotators).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_IsAdaptive_AGoodNarrowRecordNeedsFewerItems_ABadOneMore()
    {
        var counts = new Dictionary<AuditStratum, int> { [new(Ana, Person, AnnotationSource.Human)] = 5000, [new(Ben, Person, AnnotationSource.Human)] = 5000 };
        var history = new Dictionary<Guid, AnnotatorHistory> { [Ana] = new(0.02, 0.01), [Ben] = new(0.20, 0.04) };

        var none = AuditPlanner.Plan(counts, new Dictionary<Guid, AnnotatorHistory>(), new AuditPlanSettings());
        var adaptive = AuditPlanner.Plan(counts, history, new AuditPlanSettings());

        var worstCase = none.Annotators.Single(a => a.Annotator == Ana).SampleSize;
        Assert.True(adaptive.Annotators.Single(a => a.Annotator == Ana).SampleSize < worstCase / 5);
        Assert.True(adaptive.Annotators.Single(a => a.Annotator == Ben).SampleSize > worstCase);
    }

    [Fact]
    public void Plan_InPercentMode_TakesThePercentOfEachStratum()
    {
        var counts = new Dictionary<AuditStratum, int> { [new(Ana, Person, AnnotationSource.Human)] = 1000, [new(Ana, null, AnnotationSource.Human)] = 10 };

        var plan = AuditPlanner.Plan(counts, new Dictionary<Guid, AnnotatorHistory>(), new AuditPlanSettings(AuditSizing.Percent, Percent: 5, MinPerStratum: 2));

        Assert.Equal(50, plan.PerStratum[new(Ana, Person, AnnotationSource.Human)]);
        Assert.Equal(2, plan.PerStratum[new(Ana, null, AnnotationSource.Human)]);
    }

    [Fact]
    public void Sampler_IsDeterministicForARunKey_AndTakesTheQuota()
    {
        var stratum = new AuditStratum(Ana, Person, AnnotationSource.Human);
        var quotas = new Dictionary<AuditStratum, int> { [stratum] = 30 };

        IReadOnlyList<(AuditStratum, long)> Draw(string key, IEnumerable<long> order)
        {
            var sampler = new StratifiedSampler(key, quotas);
            foreach (var id in order)
            {
                sampler.Offer(stratum, id);
                sampler.Offer(new AuditStratum(Ben, Person, AnnotationSource.Human), id);
            }

            return sampler.Sample();
        }

        var first = Draw("project:2026-11-28", Enumerable.Range(1, 1000).Select(i => (long)i));
        var again = Draw("project:2026-11-28", Enumerable.Range(1, 1000).Select(i => (long)(1001 - i)));
        var otherNight = Draw("project:2026-11-29", Enumerable.Range(1, 1000).Select(i => (long)i));

        Assert.Equal(30, first.Count);
        Assert.Equal(first, again);
        Assert.NotEqual(first, otherNight);
        Assert.All(first, s => Assert.Equal(stratum, s.Item1));
    }

    private static JsonDocument Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "Portal.Tests", "Core", "Audits", "Reference", "sample_size.json")));
}
