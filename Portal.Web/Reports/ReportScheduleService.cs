using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Reports;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Notifications;

namespace Portal.Web.Reports;

/// <summary>What a manager sets for a scheduled report: how often, the UTC day and minute, the sheets, on or off.</summary>
public sealed record ReportScheduleInput(ReportFrequency Frequency, DayOfWeek DayOfWeekUtc, int MinuteOfDayUtc, IReadOnlyList<ReportPart> Parts, bool Enabled);

/// <summary>A scheduled report as the page lists it; <see cref="NextAt"/> is null when it is off.</summary>
public sealed record ReportScheduleView(
    Guid Id, ReportFrequency Frequency, DayOfWeek DayOfWeekUtc, int MinuteOfDayUtc, IReadOnlyList<ReportPart> Parts, bool Enabled, string Owner,
    DateTime UpdatedAt, DateTime? NextAt, DateTime? LastAt, int Version);

/// <summary>A project's scheduled reports, whether the caller may change them, and whether they go out by e-mail.</summary>
public sealed record ReportScheduleList(bool CanEdit, bool MailConfigured, IReadOnlyList<ReportScheduleView> Schedules);

/// <summary>
/// Scheduled reports of a project: QA leads see them, managers create, change and delete them (audit-logged). The reports
/// themselves are made by <see cref="ReportScheduleJob"/>.
/// </summary>
public sealed class ReportScheduleService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit, IOptions<MailOptions> mail, TimeProvider clock)
{
    /// <summary>The most schedules a project has; more would be a mistake rather than a need.</summary>
    public const int MaxPerProject = 10;

    public async Task<ReportScheduleList> ListAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.ReportSchedules.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.CreatedAt)
            .Select(s => new
            {
                Schedule = s,
                Owner = db.Users.Where(u => u.Id == s.OwnerId).Select(u => u.DisplayName).FirstOrDefault(),
                LastAt = db.ReportScheduleSlots.Where(x => x.ScheduleId == s.Id).Max(x => (DateTime?)x.SlotAt),
            }).ToListAsync(ct);
        return new ReportScheduleList(role >= ProjectRole.Manager, mail.Value.IsConfigured, [.. rows.Select(r => View(r.Schedule, r.Owner ?? "Former member", r.LastAt, now))]);
    }

    /// <summary>Creates a schedule (<paramref name="id"/> null) or changes one; the saver becomes the person the reports run as.</summary>
    public async Task<Guid> SaveAsync(PortalPrincipal user, Guid projectId, Guid? id, ReportScheduleInput input, int? version, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        Validate(input);
        var now = clock.GetUtcNow().UtcDateTime;
        ReportSchedule schedule;
        if (id is { } existing)
        {
            schedule = await db.ReportSchedules.SingleOrDefaultAsync(s => s.Id == existing && s.ProjectId == projectId, ct) ?? throw new NotFoundException("The scheduled report");
            if (version is { } expected && schedule.Version != expected)
            {
                throw new ConflictException("Someone else changed this scheduled report meanwhile; reload the page to see their change.");
            }
        }
        else
        {
            if (await db.ReportSchedules.CountAsync(s => s.ProjectId == projectId, ct) >= MaxPerProject)
            {
                throw new ValidationException("Schedule", $"A project has at most {MaxPerProject} scheduled reports; change or delete one.");
            }

            schedule = new ReportSchedule { Id = Guid.CreateVersion7(), ProjectId = projectId, Parts = "", CreatedAt = now };
            db.ReportSchedules.Add(schedule);
        }

        schedule.Frequency = input.Frequency;
        schedule.DayOfWeekUtc = input.DayOfWeekUtc;
        schedule.MinuteOfDayUtc = input.MinuteOfDayUtc;
        schedule.Parts = string.Join(',', input.Parts.Distinct().Order().Select(p => (int)p));
        schedule.Enabled = input.Enabled;
        schedule.OwnerId = user.UserId;
        schedule.OwnerAppRoles = string.Join(',', user.AppRoleSet.Order(StringComparer.Ordinal));
        // A schedule makes reports only for slots after its last save (no report for a moment already past when it was set).
        schedule.UpdatedAt = now;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, id is null ? "report.schedule.create" : "report.schedule.save", "ReportSchedule", schedule.Id.ToString(), projectId,
            Describe(schedule)));
        await db.SaveChangesAsync(ct);
        return schedule.Id;
    }

    public async Task DeleteAsync(PortalPrincipal user, Guid projectId, Guid id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var schedule = await db.ReportSchedules.SingleOrDefaultAsync(s => s.Id == id && s.ProjectId == projectId, ct) ?? throw new NotFoundException("The scheduled report");
        db.ReportSchedules.Remove(schedule);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "report.schedule.delete", "ReportSchedule", id.ToString(), projectId, Describe(schedule)));
        await db.SaveChangesAsync(ct);
    }

    public static IReadOnlyList<ReportPart> PartsOf(ReportSchedule schedule) =>
        [.. schedule.Parts.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => (ReportPart)int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>In words, for the audit log: "weekly, Monday 06:00 UTC: Summary, Progress (on)".</summary>
    public static string Describe(ReportSchedule s) =>
        $"{(s.Frequency == ReportFrequency.Weekly ? $"weekly, {s.DayOfWeekUtc}" : "daily,")} {s.MinuteOfDayUtc / 60:D2}:{s.MinuteOfDayUtc % 60:D2} UTC: " +
        $"{string.Join(", ", PartsOf(s).Select(ReportDefinitions.Title))} ({(s.Enabled ? "on" : "off")})";

    private static void Validate(ReportScheduleInput input)
    {
        if (!Enum.IsDefined(input.Frequency))
        {
            throw new ValidationException("Frequency", "Choose weekly or daily.");
        }

        if (!Enum.IsDefined(input.DayOfWeekUtc))
        {
            throw new ValidationException("DayOfWeek", "Choose a day of the week.");
        }

        if (input.MinuteOfDayUtc is < 0 or >= ReportSlots.MinutesPerDay)
        {
            throw new ValidationException("Time", "Choose a time of day between 00:00 and 23:59.");
        }

        if (input.Parts.Count == 0 || input.Parts.Any(p => !Enum.IsDefined(p)))
        {
            throw new ValidationException("Parts", "Choose at least one sheet.");
        }
    }

    private static ReportScheduleView View(ReportSchedule s, string owner, DateTime? lastAt, DateTime now) => new(
        s.Id, s.Frequency, s.DayOfWeekUtc, s.MinuteOfDayUtc, PartsOf(s), s.Enabled, owner, s.UpdatedAt,
        s.Enabled ? ReportSlots.Next(s.Frequency == ReportFrequency.Weekly, s.DayOfWeekUtc, s.MinuteOfDayUtc, now) : null, lastAt, s.Version);
}
