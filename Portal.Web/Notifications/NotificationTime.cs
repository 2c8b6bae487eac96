using System.Globalization;

namespace Portal.Web.Notifications;

/// <summary>"when" for a notification list: recent ones relative ("5 minutes ago"), older ones as a date.</summary>
public static class NotificationTime
{
    public static string Describe(DateTime at, DateTime now)
    {
        var age = now - at;
        return age switch
        {
            { TotalMinutes: < 1 } => "just now",
            { TotalHours: < 1 } => Plural((int)age.TotalMinutes, "minute") + " ago",
            { TotalDays: < 1 } => Plural((int)age.TotalHours, "hour") + " ago",
            { TotalDays: < 7 } => Plural((int)age.TotalDays, "day") + " ago",
            _ => at.ToString("d MMM yyyy", CultureInfo.InvariantCulture),
        };
    }

    private static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
}
