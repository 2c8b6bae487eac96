namespace Portal.Core.Reports;

/// <summary>
/// When a scheduled report is due, and what it covers. A schedule is a UTC day of the week (weekly) and a minute of the UTC
/// day; <see cref="ToUtc"/> and <see cref="ToLocal"/> turn the time a person picks in their time zone into that and back.
/// </summary>
public static class ReportSlots
{
    public const int MinutesPerDay = 24 * 60;

    /// <summary>The latest due moment at or before <paramref name="nowUtc"/>.</summary>
    public static DateTime Latest(bool weekly, DayOfWeek dayUtc, int minuteUtc, DateTime nowUtc)
    {
        var today = nowUtc.Date.AddMinutes(minuteUtc);
        var slot = weekly ? today.AddDays(-(((int)nowUtc.DayOfWeek - (int)dayUtc + 7) % 7)) : today;
        return DateTime.SpecifyKind(slot > nowUtc ? slot.AddDays(weekly ? -7 : -1) : slot, DateTimeKind.Utc);
    }

    /// <summary>The first due moment after <paramref name="nowUtc"/>.</summary>
    public static DateTime Next(bool weekly, DayOfWeek dayUtc, int minuteUtc, DateTime nowUtc) =>
        Latest(weekly, dayUtc, minuteUtc, nowUtc).AddDays(weekly ? 7 : 1);

    /// <summary>The whole UTC days a report made at <paramref name="slotUtc"/> covers: the 7 days (weekly) or the day (daily) before its day.</summary>
    public static (DateOnly From, DateOnly To) Period(bool weekly, DateTime slotUtc)
    {
        var day = DateOnly.FromDateTime(slotUtc);
        return (day.AddDays(weekly ? -7 : -1), day.AddDays(-1));
    }

    /// <summary>
    /// A day and time in <paramref name="zone"/> as the UTC day and minute it falls on next (at the zone's offset around
    /// <paramref name="nowUtc"/>; across a daylight-saving change the local time moves by the change, the UTC time does not).
    /// </summary>
    public static (DayOfWeek Day, int Minute) ToUtc(DayOfWeek localDay, int localMinute, TimeZoneInfo zone, DateTime nowUtc)
    {
        Check(localMinute);
        var localNow = TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone);
        var local = DateTime.SpecifyKind(localNow.Date.AddDays(((int)localDay - (int)localNow.DayOfWeek + 7) % 7).AddMinutes(localMinute), DateTimeKind.Unspecified);
        // A local time that does not exist (skipped by a daylight-saving change) is taken an hour later.
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        var utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
        return (utc.DayOfWeek, (utc.Hour * 60) + utc.Minute);
    }

    /// <summary>A UTC day and minute as the day and time they fall on in <paramref name="zone"/> (next occurrence after <paramref name="nowUtc"/>).</summary>
    public static (DayOfWeek Day, int Minute) ToLocal(DayOfWeek dayUtc, int minuteUtc, TimeZoneInfo zone, DateTime nowUtc)
    {
        Check(minuteUtc);
        var local = TimeZoneInfo.ConvertTimeFromUtc(Next(true, dayUtc, minuteUtc, nowUtc), zone);
        return (local.DayOfWeek, (local.Hour * 60) + local.Minute);
    }

    private static void Check(int minute) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)minute, (uint)MinutesPerDay, nameof(minute));
}
