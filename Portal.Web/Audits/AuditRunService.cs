using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Jobs;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Bulk;
using Portal.Data.Entities;
using Portal.Web.Jobs;

namespace Portal.Web.Audits;

/// <summary>
/// Audit runs: samples the work submitted since the previous run, stratified by annotator x main label x source and sized
/// by <see cref="AuditPlanner"/>. A run is a pure function of its key and the submitted work: the plan is stored with the
/// run before any sample is written, so a rerun of a finished key does nothing and a run left unfinished (a crash, a
/// failure) is resumed by rewriting its samples from the stored plan, ending exactly as one clean run would.
/// </summary>
public sealed class AuditRunService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, RunLocks locks, AuditLog audit, TimeProvider clock, ILogger<AuditRunService> log)
{
    /// <summary>
    /// Computes (or resumes) the run <paramref name="runKey"/> of the project and returns it; null when the project's
    /// audits are off (a plain percentage of 0 %). A finished run is returned as it is.
    /// </summary>
    public async Task<AuditRun?> RunAsync(Guid projectId, string runKey, AuditTrigger trigger, Guid? requestedBy, CancellationToken ct)
    {
        var windowEnd = RunKeys.WindowEnd(runKey);
        var run = await FindAsync(projectId, runKey, ct);
        if (run is { State: RunState.Succeeded })
        {
            return run;
        }

        using var lease = locks.TryEnter("audit", projectId, runKey);
        if (lease is null)
        {
            return run ?? throw new ConflictException("This audit run is being computed right now; look again in a moment.");
        }

        try
        {
            var (started, population, plan) = run is null ? await StartRunAsync(projectId, runKey, trigger, requestedBy, windowEnd, ct) : await ResumeRunAsync(run, ct);
            if (started is null)
            {
                return null;
            }

            run = started;
            await WriteSampleAsync(run, population, plan, ct);
            await FinishAsync(run, ct);
            return await FindAsync(projectId, runKey, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && run is not null && ex is not ConflictException)
        {
            log.LogError(ex, "Audit run {RunKey} of project {ProjectId} failed; the next attempt resumes it", runKey, projectId);
            await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
            var runId = run.Id;
            await db.AuditRuns.Where(r => r.Id == runId && r.State != RunState.Succeeded).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, RunState.Failed).SetProperty(r => r.Message, "The run failed; the next nightly audit resumes it."), CancellationToken.None);
            throw;
        }
    }

    /// <summary>A QA lead's "Run an audit now": the work submitted since the previous run up to this minute (twice in one minute is one run).</summary>
    public async Task<AuditRunOutcome> StartAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        }

        var key = RunKeys.OnDemand(clock.GetUtcNow().UtcDateTime);
        var run = await RunAsync(projectId, key, AuditTrigger.OnDemand, user.UserId, ct)
            ?? throw new Common.ValidationException(nameof(Project.AuditRatePercent),
                "Audits are off in this project: its audit sample is a plain percentage of 0 %. A manager can turn them on in the project's settings.");
        return new AuditRunOutcome(run.RunKey, run.State, run.Population, run.SampleSize, run.Message);
    }

    /// <summary>True when the project's audits are off: a plain percentage of 0 %.</summary>
    public static bool AuditsOff(AuditSizing sizing, int ratePercent) => sizing == AuditSizing.Percent && ratePercent == 0;

    private async Task<AuditRun?> FindAsync(Guid projectId, string runKey, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AuditRuns.AsNoTracking().SingleOrDefaultAsync(r => r.ProjectId == projectId && r.RunKey == runKey, ct);
    }

    /// <summary>Reads the window's work, plans the sample and stores the run (Running, with its plan) before any sample is written.</summary>
    private async Task<(AuditRun?, AuditPopulation, AuditRunPlan)> StartRunAsync(
        Guid projectId, string runKey, AuditTrigger trigger, Guid? requestedBy, DateTime windowEnd, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new { p.AuditSizing, p.AuditRatePercent, p.AuditMarginOfError, p.AuditConfidence, p.AuditMinPerStratum })
            .SingleOrDefaultAsync(ct) ?? throw new NotFoundException("The project");
        if (AuditsOff(project.AuditSizing, project.AuditRatePercent))
        {
            return (null, new AuditPopulation(), new AuditRunPlan([], []));
        }

        var windowStart = await WindowStartAsync(db, projectId, windowEnd, ct);
        var population = await AuditPopulation.ReadAsync(factory, projectId, windowStart, windowEnd, ct);
        var settings = new AuditPlanSettings(project.AuditSizing, project.AuditMarginOfError, project.AuditConfidence, project.AuditMinPerStratum, project.AuditRatePercent);
        var history = await AuditResultsService.HistoryAsync(db, projectId, project.AuditConfidence, ct);
        var planned = AuditPlanner.Plan(population.CountsByStratum(), history, settings);
        var counts = population.CountsByStratum();
        var plan = new AuditRunPlan(planned.Annotators,
            [.. planned.PerStratum.OrderBy(s => s.Key.Annotator).ThenBy(s => s.Key.Label).ThenBy(s => s.Key.Source)
                .Select(s => new StratumQuota(s.Key.Annotator, s.Key.Label, s.Key.Source, counts[s.Key], s.Value))]);
        var run = new AuditRun
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, RunKey = runKey, Trigger = trigger, State = RunState.Running,
            Sizing = settings.Sizing, Confidence = settings.Confidence, MarginOfError = settings.Margin, Percent = settings.Percent, MinPerStratum = settings.MinPerStratum,
            WindowStart = windowStart, WindowEnd = windowEnd, Population = population.Items.Count, SampleSize = planned.Total, PlanJson = plan.ToJson(),
            RequestedById = requestedBy, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.AuditRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another process started the same key a moment earlier: that one computes it.
            if (await FindAsync(projectId, runKey, ct) is not null)
            {
                throw new ConflictException("This audit run is being computed right now; look again in a moment.");
            }

            throw;
        }

        return (run, population, plan);
    }

    /// <summary>A run left unfinished: its window and plan are kept; the samples written so far are dropped and written again.</summary>
    private async Task<(AuditRun?, AuditPopulation, AuditRunPlan)> ResumeRunAsync(AuditRun run, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var runId = run.Id;
            await db.AuditSamples.Where(s => s.AuditRunId == runId).ExecuteDeleteAsync(ct);
            await db.AuditRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunState.Running), ct);
        }

        var population = await AuditPopulation.ReadAsync(factory, run.ProjectId, run.WindowStart, run.WindowEnd, ct);
        return (run, population, AuditRunPlan.FromJson(run.PlanJson));
    }

    /// <summary>Where the previous finished run's window ended, else the project's first submission: no work falls between two runs.</summary>
    private static async Task<DateTime> WindowStartAsync(PortalDbContext db, Guid projectId, DateTime windowEnd, CancellationToken ct)
    {
        var previous = await db.AuditRuns.Where(r => r.ProjectId == projectId && r.State == RunState.Succeeded).MaxAsync(r => (DateTime?)r.WindowEnd, ct);
        var start = previous ?? await AuditPopulation.InWindow(db, projectId, DateTime.MinValue, windowEnd).MinAsync(a => a.SubmittedAt, ct) ?? windowEnd;
        return start < windowEnd ? start : windowEnd;
    }

    private async Task WriteSampleAsync(AuditRun run, AuditPopulation population, AuditRunPlan plan, CancellationToken ct)
    {
        var sampler = new StratifiedSampler(run.RunKey, plan.Strata.ToDictionary(s => s.Stratum, s => s.Quota));
        foreach (var item in population.Items)
        {
            sampler.Offer(population.Strata[item.Stratum], item.AnnotationId);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        await AuditSampleWriter.InsertAsync(db, sampler.Sample().Select(chosen =>
        {
            var (stratum, annotationId) = chosen;
            var item = population.Find(annotationId);
            return new AuditSample
            {
                AuditRunId = run.Id, ProjectId = run.ProjectId, AnnotationId = annotationId, TaskId = item.TaskId, AnnotatorId = stratum.Annotator,
                LabelKey = stratum.Label, Source = stratum.Source, Stratum = StratumName(stratum), AnnotationVersion = item.Version,
            };
        }), ct);
    }

    private static string? Summary(AuditRun run) => run.Population == 0
        ? $"Nothing was submitted between {run.WindowStart.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} and {run.WindowEnd.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC: nothing to audit."
        : null;

    public static string StratumName(AuditStratum stratum) =>
        $"{stratum.Annotator:N}/{(stratum.Label is { } label ? label.ToString("N") : "none")}/{stratum.Source}";

    private async Task FinishAsync(AuditRun run, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var runId = run.Id;
        var sampled = await db.AuditSamples.CountAsync(s => s.AuditRunId == runId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.AuditRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, RunState.Succeeded).SetProperty(r => r.SampleSize, sampled).SetProperty(r => r.CompletedAt, now)
            .SetProperty(r => r.Message, Summary(run)), ct);
        var who = run.RequestedById is { } id ? await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null;
        await audit.WriteAsync(run.RequestedById, who ?? "Nightly audit", "audit.run", "audit-run", run.RunKey, run.ProjectId,
            $"{sampled} of {run.Population} item(s) submitted {run.WindowStart:u} to {run.WindowEnd:u} sampled for audit", ct);
    }
}
