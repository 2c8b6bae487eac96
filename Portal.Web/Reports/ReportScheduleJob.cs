using System.Text.Json;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Core.Jobs;
using Portal.Core.Reports;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.ImportExport;
using Portal.Web.Jobs;
using Portal.Web.Notifications;

namespace Portal.Web.Reports;

/// <summary>What one pass did: slots taken (reports started here), slots another server or an earlier pass had, mails sent.</summary>
public sealed record ScheduleOutcome(int Started, int AlreadyTaken, int Mailed);

/// <summary>
/// Makes each due scheduled report once per slot and mails it. A slot is taken by inserting its (schedule, slot) row, which
/// is unique in the database: a second server, or this one again after a restart, fails the insert and leaves the slot alone.
/// The report is an ordinary durable run (so it lands in the history and survives a restart); a later pass mails the
/// managers once it has succeeded, and stamps the slot, so each report is mailed once.
/// </summary>
public sealed class ReportScheduleJob(
    IDbContextFactory<PortalDbContext> factory, IDataJobQueue queue, IOptions<MailOptions> mail, IOptions<ReportOptions> options,
    AuditLog audit, TimeProvider clock, ILogger<ReportScheduleJob> logger) : IRecurringJob
{
    /// <summary>What the idempotency key of a scheduled report's run starts with (the history marks those as scheduled).</summary>
    public const string KeyPrefix = "report-schedule:";

    /// <summary>Reports finished longer ago than this are not mailed any more (mail turned on later sends no backlog).</summary>
    private static readonly TimeSpan MailWindow = TimeSpan.FromDays(2);

    public async Task RunAsync(CancellationToken ct) => await RunOnceAsync(ct);

    public async Task<ScheduleOutcome> RunOnceAsync(CancellationToken ct)
    {
        var (started, taken) = await StartDueAsync(ct);
        var mailed = await MailFinishedAsync(ct);
        return new ScheduleOutcome(started, taken, mailed);
    }

    private async Task<(int Started, int Taken)> StartDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<ReportSchedule> schedules;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            schedules = await db.ReportSchedules.AsNoTracking().Where(s => s.Enabled).ToListAsync(ct);
        }

        int started = 0, taken = 0;
        foreach (var schedule in schedules)
        {
            var slot = ReportSlots.Latest(schedule.Frequency == ReportFrequency.Weekly, schedule.DayOfWeekUtc, schedule.MinuteOfDayUtc, now);
            if (slot <= schedule.UpdatedAt)
            {
                continue;
            }

            if (await TakeAsync(schedule, slot, now, ct) is { } runId)
            {
                await queue.EnqueueAsync(runId, ct);
                started++;
            }
            else
            {
                taken++;
            }
        }

        return (started, taken);
    }

    /// <summary>The slot's row and its report run in one transaction; null when the slot was taken already.</summary>
    private async Task<Guid?> TakeAsync(ReportSchedule schedule, DateTime slot, DateTime now, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.ReportScheduleSlots.AnyAsync(s => s.ScheduleId == schedule.Id && s.SlotAt == slot, ct))
        {
            return null;
        }

        var (from, to) = ReportSlots.Period(schedule.Frequency == ReportFrequency.Weekly, slot);
        var request = new ReportRequest(from, to, ReportScheduleService.PartsOf(schedule));
        var roles = schedule.OwnerAppRoles.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var run = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = schedule.ProjectId, Kind = RunKind.Report, Format = "xlsx", State = RunState.Queued,
            OptionsJson = JsonSerializer.Serialize(new ReportRunSettings(request, roles), ReportRun.Json), SourceName = request.Describe(),
            IdempotencyKey = $"{KeyPrefix}{schedule.Id:N}:{slot:yyyyMMddTHHmm}", CreatedById = schedule.OwnerId, CreatedAt = now,
        };
        db.DataJobs.Add(run);
        db.ReportScheduleSlots.Add(new ReportScheduleSlot { ScheduleId = schedule.Id, SlotAt = slot, DataJobId = run.Id, TakenAt = now });
        db.AuditLog.Add(audit.Entry(null, "Scheduled reports", "report.start", "DataJob", run.Id.ToString(), schedule.ProjectId, run.SourceName));
        try
        {
            await db.SaveChangesAsync(ct);
            return run.Id;
        }
        catch (DbUpdateException ex)
        {
            // Another server took the slot between the check and the insert: the unique index decided, nothing is doubled.
            logger.LogDebug(ex, "Slot {Slot} of scheduled report {ScheduleId} was taken by another server.", slot, schedule.Id);
            return null;
        }
    }

    /// <summary>Mails each finished scheduled report not yet mailed to the project's managers; nothing without <c>Portal:Mail:Host</c>.</summary>
    private async Task<int> MailFinishedAsync(CancellationToken ct)
    {
        var settings = mail.Value;
        if (!settings.IsConfigured)
        {
            return 0;
        }

        var since = clock.GetUtcNow().UtcDateTime - MailWindow;
        await using var db = await factory.CreateDbContextAsync(ct);
        var ready = await db.ReportScheduleSlots.Where(s => s.MailedAt == null && s.TakenAt >= since)
            .Join(db.DataJobs.Where(j => j.State == RunState.Succeeded), s => s.DataJobId, j => j.Id, (s, j) => new { Slot = s, j.ProjectId, j.ResultPath, j.SourceName })
            .OrderBy(x => x.Slot.Id).ToListAsync(ct);
        var mailed = 0;
        using var smtp = new SmtpClient { Timeout = 30_000 };
        foreach (var report in ready)
        {
            var project = await db.Projects.Where(p => p.Id == report.ProjectId).Select(p => p.Name).SingleAsync(ct);
            var managers = await db.ProjectMembers.Where(m => m.ProjectId == report.ProjectId && m.Role == ProjectRole.Manager)
                .Join(db.Users.Where(u => u.IsActive), m => m.UserId, u => u.Id, (m, u) => new { u.DisplayName, u.Email }).ToListAsync(ct);
            var to = managers.Where(m => MailboxAddress.TryParse(m.Email, out _)).Select(m => new MailboxAddress(m.DisplayName, m.Email)).ToList();
            if (to.Count > 0)
            {
                await MailConnection.EnsureConnectedAsync(smtp, settings, ct);
                await smtp.SendAsync(Message(settings, project, report.ProjectId, report.Slot.DataJobId, report.SourceName ?? "", report.ResultPath, to), ct);
            }

            report.Slot.MailedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            mailed += to.Count > 0 ? 1 : 0;
        }

        await MailConnection.DisconnectQuietlyAsync(smtp, logger);
        return mailed;
    }

    private MimeMessage Message(MailOptions settings, string project, Guid projectId, Guid runId, string what, string? path, List<MailboxAddress> to)
    {
        var link = new Uri(new Uri(settings.BaseUrl!), $"projects/{projectId}/reports/{runId}/file").ToString();
        var page = new Uri(new Uri(settings.BaseUrl!), $"projects/{projectId}/reports").ToString();
        var attach = path is not null && File.Exists(path) && new FileInfo(path).Length <= options.Value.MailAttachMaxBytes;
        var text = $"The scheduled report of {project} is ready ({what}).\n\n" +
            (attach ? "The workbook is attached. " : "") + $"Download it (sign-in needed): {link}\nAll reports of the project: {page}\n\n" +
            $"Workbooks are kept for {options.Value.KeepDays} days. Managers of the project change or stop this schedule on the Reports page.\n";
        var body = new BodyBuilder { TextBody = text };
        if (attach)
        {
            body.Attachments.Add(ReportFiles.DownloadName(project, clock.GetUtcNow().UtcDateTime), File.ReadAllBytes(path!), new ContentType("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        }

        var message = new MimeMessage { Subject = $"Portal: scheduled report of {project}", Body = body.ToMessageBody() };
        message.From.Add(MailboxAddress.Parse(settings.From!));
        message.To.AddRange(to);
        return message;
    }
}
