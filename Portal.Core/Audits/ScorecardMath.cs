namespace Portal.Core.Audits;

/// <summary>The small sums of an annotator's scorecard, kept pure so they are tested without a database.</summary>
public static class ScorecardMath
{
    /// <summary>The median of the values (the mean of the middle two for an even count); null without any.</summary>
    public static double? Median(IReadOnlyList<long> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    /// <summary>
    /// The letters anonymized views call people by: A…Z, then AA, AB…, so a project with more than 26 annotators still
    /// gives each a distinct name.
    /// </summary>
    public static string Letter(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + (n - 1) % 26) + name;
        }

        return name;
    }

    /// <summary>Counts per bucket from <paramref name="from"/> on: per day, or per week when the range is longer than 31 days.</summary>
    public static IReadOnlyList<(DateOnly Start, int Count)> Buckets(IEnumerable<DateTime> times, DateTime from, DateTime to)
    {
        var first = DateOnly.FromDateTime(from);
        // Calendar days the range touches; its end is exclusive, so a range ending at midnight stops the day before.
        var days = Math.Max(1, DateOnly.FromDateTime(to.AddTicks(-1)).DayNumber - first.DayNumber + 1);
        var size = days > 31 ? 7 : 1;
        var counts = new int[(days + size - 1) / size];
        foreach (var time in times)
        {
            var index = (DateOnly.FromDateTime(time).DayNumber - first.DayNumber) / size;
            if (index >= 0 && index < counts.Length)
            {
                counts[index]++;
            }
        }

        return [.. counts.Select((count, i) => (first.AddDays(i * size), count))];
    }
}
