using Portal.Core.Audits;

namespace Portal.Tests.Core.Audits;

public class ScorecardMathTests
{
    [Fact]
    public void Median_OddAndEvenCounts_AndNone()
    {
        Assert.Equal(3, ScorecardMath.Median([5, 3, 1]));
        Assert.Equal(3.5, ScorecardMath.Median([10, 1, 3, 4]));
        Assert.Null(ScorecardMath.Median([]));
    }

    [Theory]
    [InlineData(0, "A")]
    [InlineData(25, "Z")]
    [InlineData(26, "AA")]
    [InlineData(27, "AB")]
    [InlineData(701, "ZZ")]
    [InlineData(702, "AAA")]
    public void Letter_CountsLikeSpreadsheetColumns(int index, string expected) => Assert.Equal(expected, ScorecardMath.Letter(index));

    [Fact]
    public void Buckets_PerDayUpToAMonth_TheRangeEndExclusive()
    {
        var from = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

        var buckets = ScorecardMath.Buckets([from.AddHours(1), from.AddDays(2).AddHours(23), from.AddDays(3), from.AddDays(-1)], from, from.AddDays(3));

        Assert.Equal([(new DateOnly(2026, 3, 1), 1), (new DateOnly(2026, 3, 2), 0), (new DateOnly(2026, 3, 3), 1)], buckets);
    }

    [Fact]
    public void Buckets_PerWeekBeyondAMonth()
    {
        var from = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        var buckets = ScorecardMath.Buckets([from, from.AddDays(6), from.AddDays(7), from.AddDays(89)], from, from.AddDays(90));

        Assert.Equal(13, buckets.Count);
        Assert.Equal((new DateOnly(2026, 1, 8), 1), buckets[1]);
        Assert.Equal(2, buckets[0].Count);
        Assert.Equal(1, buckets[12].Count);
    }
}
