namespace Portal.Data.Entities;

/// <summary>How often a scheduled report is made.</summary>
public enum ReportFrequency
{
    /// <summary>Once a week, on <see cref="ReportSchedule.DayOfWeekUtc"/>, covering the 7 days before.</summary>
    Weekly = 1,

    /// <summary>Every day, covering the day before.</summary>
    Daily = 2,
}

/// <summary>
/// A report a project's manager asked for on a schedule. The moment is kept in UTC (day of week and minute of the day);
/// pages show it in the viewer's time zone. Reports run as <see cref="OwnerId"/>, the manager who last saved the schedule,
/// with that person's access checked again at every run.
/// </summary>
public sealed class ReportSchedule : IVersioned
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public ReportFrequency Frequency { get; set; } = ReportFrequency.Weekly;

    /// <summary>The UTC day of the week (weekly schedules).</summary>
    public DayOfWeek DayOfWeekUtc { get; set; }

    /// <summary>Minutes after UTC midnight.</summary>
    public int MinuteOfDayUtc { get; set; }

    /// <summary>The sheets, as <c>ReportPart</c> numbers separated by commas.</summary>
    public required string Parts { get; set; }

    public bool Enabled { get; set; } = true;
    public Guid OwnerId { get; set; }

    /// <summary>The owner's portal roles when they saved it, comma-separated (an admin who is not a member may schedule too).</summary>
    public string OwnerAppRoles { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// One slot of a schedule that was taken: the unique (schedule, slot) pair makes the report once per slot whichever
/// server or restart gets there first; <see cref="MailedAt"/> says the managers have had it.
/// </summary>
public sealed class ReportScheduleSlot
{
    public long Id { get; set; }
    public Guid ScheduleId { get; set; }

    /// <summary>The UTC moment the report was due.</summary>
    public DateTime SlotAt { get; set; }

    public Guid DataJobId { get; set; }
    public DateTime TakenAt { get; set; }
    public DateTime? MailedAt { get; set; }
}
