using System.Globalization;

namespace Portal.Web.Drift;

/// <summary>Days between moments, their median, and how dates read in summaries (the taxonomy and age checks share them).</summary>
internal static class WaitStatistics
{
    public static double Days(DateTime from, DateTime to) => Math.Round((to - from).TotalDays, 1);

    /// <summary>The median of the values (the mean of the middle two for an even count); 0 for none.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static string Date(DateTime at) => at.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Count(int n, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{n:N0} {(n == 1 ? one : many)}");
}
