using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Jobs;
using Portal.Core.Reports;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Notifications;
using Portal.Web.Demo;
using Portal.Web.ImportExport;
using Portal.Web.Jobs;
using Portal.Web.Notifications;
using Portal.Web.Reports;

namespace Portal.Tests.Web.Reports;

/// <summary>Scheduled reports on the demo project: who may set them, once per slot across restarts and servers, the managers' e-mail.</summary>
[Collection(Browser.BrowserCollection.Name)]
public sealed class ReportScheduleTests
{
    // A Monday, 06:00 UTC.
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    private static ReportScheduleInput Weekly(params ReportPart[] parts) => new(ReportFrequency.Weekly, DayOfWeek.Monday, 6 * 60, parts, Enabled: true);

    private static async Task<(TestDatabase Database, FakeTimeProvider Clock, Guid ProjectId, PortalPrincipal Manager, PortalPrincipal Lead)> DemoAsync()
    {
        var clock = new FakeTimeProvider(Monday.AddDays(-3));
        var database = await TestDatabase.CreateAsync(clock: clock);
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();
        var projectId = await db.Projects.Where(p => p.Name == DemoSeeder.ProjectName).Select(p => p.Id).SingleAsync();
        await SetAsideDemoSchedulesAsync(db);
        async Task<PortalPrincipal> Person(string email, string role)
        {
            var user = await db.Users.Where(u => u.Email == email).Select(u => new { u.Id, u.DisplayName }).SingleAsync();
            return new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { role });
        }

        return (database, clock, projectId, await Person("morgan.manager@demo.local", AppRoles.Manager), await Person("riley.reviewer@demo.local", AppRoles.User));
    }

    /// <summary>
    /// A portal over the demo database at <paramref name="database"/> (a new one when null), seeing <paramref name="clock"/>:
    /// the job needs the durable runner, which a whole app builds. Two portals on one file are two servers.
    /// </summary>
    private static Task<TestPortal> PortalAsync(FakeTimeProvider clock, string? database = null) => TestPortal.StartAsync(
        database is null ? null : new Dictionary<string, string> { ["ConnectionStrings:Portal"] = $"Data Source={database}" },
        overrideServices: services => services.AddSingleton<TimeProvider>(clock));

    private static string DatabasePath(TestPortal portal) => Path.Combine(portal.Folder, "portal.db");

    /// <summary>The job as the portal builds it, but running each report right here (the test portals run no Hangfire server).</summary>
    private static ReportScheduleJob Job(IServiceScope scope, TimeProvider clock, MailOptions? mail = null, long attachMaxBytes = 5_000_000)
    {
        var services = scope.ServiceProvider;
        return new(services.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
            new InlineDataJobQueue(services.GetRequiredService<DurableRunner>(), services.GetRequiredService<RunRegistry>()), Options.Create(mail ?? new MailOptions()),
            Options.Create(new ReportOptions { MailAttachMaxBytes = attachMaxBytes }), services.GetRequiredService<Portal.Web.Common.AuditLog>(), clock, NullLogger<ReportScheduleJob>.Instance);
    }

    private static async Task<(Guid ProjectId, PortalPrincipal Manager)> ManagerAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var projectId = await db.Projects.Where(p => p.Name == DemoSeeder.ProjectName).Select(p => p.Id).SingleAsync();
        await SetAsideDemoSchedulesAsync(db);
        var user = await db.Users.Where(u => u.Email == "morgan.manager@demo.local").Select(u => new { u.Id, u.DisplayName }).SingleAsync();
        return (projectId, new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { AppRoles.Manager }));
    }

    /// <summary>The demo's own weekly report is removed: these tests count the schedules, slots and reports they make.</summary>
    private static Task SetAsideDemoSchedulesAsync(PortalDbContext db) => db.ReportSchedules.ExecuteDeleteAsync();

    [Fact]
    public async Task Schedules_ManagerCreatesChangesDeletes_QaLeadOnlySees_AllAuditLogged()
    {
        var (database, _, projectId, manager, lead) = await DemoAsync();
        await using var __ = database;
        var service = database.Get<ReportScheduleService>();
        long since;
        await using (var before = await database.ContextAsync())
        {
            since = await before.AuditLog.MaxAsync(a => a.Id);
        }

        var id = await service.SaveAsync(manager, projectId, null, Weekly(ReportPart.Summary, ReportPart.Agreement), null, default);
        var asLead = await service.ListAsync(lead, projectId, default);
        var forbidden = await Assert.ThrowsAsync<Portal.Web.Common.ForbiddenException>(() => service.SaveAsync(lead, projectId, id, Weekly(ReportPart.Drift), null, default));
        await Assert.ThrowsAsync<Portal.Web.Common.ForbiddenException>(() => service.DeleteAsync(lead, projectId, id, default));
        var invalid = await Assert.ThrowsAsync<Portal.Web.Common.ValidationException>(() => service.SaveAsync(manager, projectId, id, Weekly(), null, default));

        Assert.False(asLead.CanEdit);
        var listed = Assert.Single(asLead.Schedules);
        Assert.Equal([ReportPart.Summary, ReportPart.Agreement], listed.Parts);
        Assert.Equal("Morgan Manager", listed.Owner);
        Assert.Equal(Monday.UtcDateTime, listed.NextAt);
        Assert.Contains("Manager", forbidden.Message, StringComparison.Ordinal);
        Assert.Equal("Parts", invalid.Errors[0].Field);

        await service.SaveAsync(manager, projectId, id, new ReportScheduleInput(ReportFrequency.Daily, DayOfWeek.Monday, 90, [ReportPart.Drift], Enabled: false), listed.Version, default);
        var stale = await Assert.ThrowsAsync<Portal.Web.Common.ConflictException>(() => service.SaveAsync(manager, projectId, id, Weekly(ReportPart.Drift), listed.Version, default));
        var changed = Assert.Single((await service.ListAsync(manager, projectId, default)).Schedules);
        Assert.Equal((ReportFrequency.Daily, 90, false, (DateTime?)null), (changed.Frequency, changed.MinuteOfDayUtc, changed.Enabled, changed.NextAt));
        Assert.Contains("reload", stale.Message, StringComparison.Ordinal);

        await service.DeleteAsync(manager, projectId, id, default);
        Assert.Empty((await service.ListAsync(manager, projectId, default)).Schedules);
        await using var db = await database.ContextAsync();
        Assert.Equal(["report.schedule.create", "report.schedule.save", "report.schedule.delete"],
            await db.AuditLog.Where(a => a.ProjectId == projectId && a.Id > since && a.Action.StartsWith("report.schedule.")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task Schedules_AnAnnotator_IsTurnedAway()
    {
        var (database, _, projectId, _, _) = await DemoAsync();
        await using var __ = database;
        await using var db = await database.ContextAsync();
        var ana = await db.Users.Where(u => u.Email == "ana.annotator@demo.local").Select(u => new PortalPrincipal(u.Id, u.DisplayName, new HashSet<string> { AppRoles.User })).SingleAsync();

        await Assert.ThrowsAnyAsync<Portal.Web.Common.DomainException>(() => database.Get<ReportScheduleService>().ListAsync(ana, projectId, default));
    }

    [Fact]
    public async Task Job_MakesEachSlotOnce_AcrossRestartsAndTwoServers_IntoTheHistoryAsScheduled()
    {
        var clock = new FakeTimeProvider(Monday.AddDays(-3));
        await using var first = await PortalAsync(clock);
        await using var second = await PortalAsync(clock, DatabasePath(first));
        using var one = first.Services.CreateScope();
        using var two = second.Services.CreateScope();
        var (projectId, manager) = await ManagerAsync(first.Services);
        await one.ServiceProvider.GetRequiredService<ReportScheduleService>().SaveAsync(manager, projectId, null, Weekly(ReportPart.Summary, ReportPart.Progress), null, default);

        var early = await Job(one, clock).RunOnceAsync(default);
        clock.SetUtcNow(Monday.AddMinutes(2));
        // Both servers at the same moment, then the first again as after a restart (a new job, nothing kept in memory).
        var both = await Task.WhenAll(Job(one, clock).RunOnceAsync(default), Job(two, clock).RunOnceAsync(default));
        var again = await Job(one, clock).RunOnceAsync(default);

        Assert.Equal(new ScheduleOutcome(0, 0, 0), early);
        Assert.Equal(1, both.Sum(o => o.Started));
        Assert.Equal(1, both.Sum(o => o.AlreadyTaken));
        Assert.Equal(new ScheduleOutcome(0, 1, 0), again);
        var history = await one.ServiceProvider.GetRequiredService<ReportService>().ListAsync(manager, projectId, default);
        var report = Assert.Single(history);
        Assert.True(report.Scheduled);
        Assert.Equal(RunState.Succeeded, report.State);
        Assert.True(report.Downloadable);
        Assert.Equal("2026-11-23 to 2026-11-29: Summary, Progress", report.Filters);

        // The next week's slot is a new report.
        clock.SetUtcNow(Monday.AddDays(7).AddMinutes(1));
        Assert.Equal(new ScheduleOutcome(1, 0, 0), await Job(two, clock).RunOnceAsync(default));
    }

    [Theory]
    [InlineData(0L, false)]
    [InlineData(5_000_000L, true)]
    public async Task Job_WithSmtp_MailsTheManagersOnce_TheFileAttachedUnderTheLimit(long attachMaxBytes, bool attached)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var clock = new FakeTimeProvider(Monday.AddDays(-3));
        await using var portal = await PortalAsync(clock);
        using var scope = portal.Services.CreateScope();
        var (projectId, manager) = await ManagerAsync(portal.Services);
        var mail = new MailOptions { Host = "127.0.0.1", Port = smtp.Port, Security = MailSecurity.None, From = "Portal <portal@example.test>", BaseUrl = "https://portal.example.test/" };
        await scope.ServiceProvider.GetRequiredService<ReportScheduleService>().SaveAsync(manager, projectId, null, Weekly(ReportPart.Summary), null, default);
        clock.SetUtcNow(Monday.AddMinutes(1));

        // The run is inline here, so the same pass that starts the report mails it; a second pass mails nothing.
        var first = await Job(scope, clock, mail, attachMaxBytes).RunOnceAsync(default);
        var message = await smtp.NextAsync();
        var second = await Job(scope, clock, mail, attachMaxBytes).RunOnceAsync(default);

        Assert.Equal(1, first.Mailed);
        Assert.Equal(0, second.Mailed);
        Assert.Equal(["morgan.manager@demo.local"], message.To);
        Assert.Equal($"Portal: scheduled report of {DemoSeeder.ProjectName}", message.Subject);
        var runId = (await scope.ServiceProvider.GetRequiredService<ReportService>().ListAsync(manager, projectId, default)).Single().Id;
        Assert.Contains($"https://portal.example.test/projects/{projectId}/reports/{runId}/file", message.Text, StringComparison.Ordinal);
        Assert.Equal(attached, message.Text!.Contains("The workbook is attached.", StringComparison.Ordinal));
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.NotNull((await db.ReportScheduleSlots.SingleAsync()).MailedAt);
    }

    [Fact]
    public async Task Job_WithoutSmtp_MakesTheReport_AndMailsNothing()
    {
        var clock = new FakeTimeProvider(Monday.AddDays(-3));
        await using var portal = await PortalAsync(clock);
        using var scope = portal.Services.CreateScope();
        var (projectId, manager) = await ManagerAsync(portal.Services);
        var schedules = scope.ServiceProvider.GetRequiredService<ReportScheduleService>();
        await schedules.SaveAsync(manager, projectId, null, Weekly(ReportPart.Summary), null, default);
        clock.SetUtcNow(Monday.AddMinutes(1));

        var outcome = await Job(scope, clock).RunOnceAsync(default);

        Assert.Equal(new ScheduleOutcome(1, 0, 0), outcome);
        Assert.False((await schedules.ListAsync(manager, projectId, default)).MailConfigured);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Null((await db.ReportScheduleSlots.SingleAsync()).MailedAt);
    }

    [Theory]
    [InlineData("Europe/Berlin", DayOfWeek.Monday, 7 * 60, DayOfWeek.Monday, 6 * 60)]
    [InlineData("America/New_York", DayOfWeek.Sunday, 22 * 60, DayOfWeek.Monday, 3 * 60)]
    [InlineData("Asia/Tokyo", DayOfWeek.Monday, 8 * 60, DayOfWeek.Sunday, 23 * 60)]
    public void Slots_LocalTimeToUtcAndBack(string zoneId, DayOfWeek localDay, int localMinute, DayOfWeek utcDay, int utcMinute)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);

        var utc = ReportSlots.ToUtc(localDay, localMinute, zone, Monday.UtcDateTime);

        Assert.Equal((utcDay, utcMinute), utc);
        Assert.Equal((localDay, localMinute), ReportSlots.ToLocal(utc.Day, utc.Minute, zone, Monday.UtcDateTime));
    }

    [Fact]
    public void Slots_LatestAndNext_AroundTheDueMoment()
    {
        var due = Monday.UtcDateTime;

        Assert.Equal(due, ReportSlots.Latest(true, DayOfWeek.Monday, 360, due));
        Assert.Equal(due.AddDays(-7), ReportSlots.Latest(true, DayOfWeek.Monday, 360, due.AddMinutes(-1)));
        Assert.Equal(due.AddDays(7), ReportSlots.Next(true, DayOfWeek.Monday, 360, due));
        Assert.Equal(due.AddDays(-1), ReportSlots.Latest(false, DayOfWeek.Friday, 360, due.AddMinutes(-1)));
        Assert.Equal((new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 29)), ReportSlots.Period(true, due));
    }
}
