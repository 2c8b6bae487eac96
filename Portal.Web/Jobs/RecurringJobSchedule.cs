using Hangfire;

namespace Portal.Web.Jobs;

/// <summary>Implemented by every recurring job: ids and inputs come as arguments, reruns are harmless.</summary>
public interface IRecurringJob
{
    Task RunAsync(CancellationToken ct);
}

/// <summary>Every recurring job in one table: what runs, and when (cron, UTC).</summary>
public static class RecurringJobSchedule
{
    public sealed record Entry(string Id, Type JobType, string Cron, string Purpose);

    public static readonly IReadOnlyList<Entry> Jobs =
    [
        new("expire-reservations", typeof(ExpireReservationsJob), "* * * * *", "Return abandoned tasks to the queue when their reservation times out."),
        new("consensus-sweep", typeof(Review.ConsensusSweepJob), "*/5 * * * *", "Consensus for complete tasks that no submit evaluated (after a crash or a lost race)."),
        new("runs-sweep", typeof(RunSweepJob), "* * * * *", "Resume durable runs (imports, exports) that a restart or a dead worker left unfinished; delete expired uploads and exports."),
        new("agreement-snapshots", typeof(Agreement.AgreementSnapshotJob), "0 2 * * *", "Nightly agreement figures per project, label and annotator pair."),
        new("audits-nightly", typeof(Audits.AuditNightlyJob), "30 2 * * *", "Nightly audit sample per project: the work submitted since the previous run, sized per annotator, stratified by label and source."),
        new("drift-nightly", typeof(Drift.DriftNightlyJob), "0 3 * * *", "Nightly drift checks per project: label-set changes, label distribution shift, agreement and gold drops, old work, retest consistency."),
        new("task-counters-check", typeof(TaskCounterCheckJob), "30 3 * * *", "Nightly proof that each project's task counters (progress, read by every page) and the Overview's counters (tasks by answers, submits per day) equal a recount; logs and repairs any difference."),
        new("queue-counters-check", typeof(QueueCounterCheckJob), "45 3 * * *", "Nightly proof that the queue counters (review, adjudication and to-label counts on every project page) equal a recount; logs and repairs any difference."),
        new("report-schedules", typeof(Reports.ReportScheduleJob), "*/5 * * * *", "Make each due scheduled report once per slot (into the project's report history) and e-mail it to the project's managers when Portal:Mail:Host is set."),
        new("mail-digest", typeof(Notifications.MailDigestJob), "0 4 * * *", "E-mail each QA lead and manager one digest of their notifications not yet mailed (after the nightly drift checks); does nothing without Portal:Mail:Host."),
    ];

    /// <summary>Ids of rows removed from the table; kept job storage (SQL Server, SQLite) would otherwise still run them.</summary>
    private static readonly string[] Retired = ["data-jobs-resume"];

    public static void Register(IRecurringJobManager manager)
    {
        foreach (var id in Retired)
        {
            manager.RemoveIfExists(id);
        }

        foreach (var job in Jobs)
        {
            manager.AddOrUpdate(job.Id, new Hangfire.Common.Job(job.JobType, job.JobType.GetMethod(nameof(IRecurringJob.RunAsync))!, CancellationToken.None),
                job.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
    }
}
