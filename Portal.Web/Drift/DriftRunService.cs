using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Audits;
using Portal.Web.Jobs;

namespace Portal.Web.Drift;

/// <summary>
/// A night's drift checks for one project: runs every check that is on, stores what each found through
/// <see cref="DriftFindingStore"/> (one finding per drift, updated on later nights, never repeated by a rerun) and
/// applies the project's policy to new findings. Each check is recorded as done with its findings in one transaction, so
/// a run left unfinished by a crash resumes with the checks not done yet; one check's failure never stops the others.
/// </summary>
public sealed class DriftRunService(
    IDbContextFactory<PortalDbContext> factory, IEnumerable<IDriftCheck> checks, DriftFindingStore store, Notifications.NotificationService notifications,
    ProjectAccess access, RunLocks locks, AuditLog audit, TimeProvider clock, ILogger<DriftRunService> log)
{
    private const string LockScope = "drift";

    /// <summary>Runs (or resumes) the night <paramref name="runKey"/> of the project and returns it; a finished run is returned as it is.</summary>
    public async Task<DriftRun> RunAsync(Guid projectId, string runKey, Guid? requestedBy, CancellationToken ct)
    {
        var now = RunKeys.WindowEnd(runKey);
        var run = await FindAsync(projectId, runKey, ct);
        if (run is { State: DriftRunState.Succeeded })
        {
            return run;
        }

        using var lease = locks.TryEnter(LockScope, projectId, runKey);
        if (lease is null)
        {
            return run ?? throw new ConflictException("These drift checks are running right now; look again in a moment.");
        }

        run ??= await StartAsync(projectId, runKey, requestedBy, ct);
        var (settings, relabelAge) = await SettingsAsync(projectId, ct);
        var context = new DriftCheckContext(projectId, runKey, now, settings, relabelAge);
        var done = Completed(run);
        var failures = new List<string>();
        foreach (var check in checks.OrderBy(c => c.Kind).Where(c => IsOn(settings, c.Kind) && !done.Contains(c.Kind)))
        {
            try
            {
                var drafts = await check.RunAsync(context, ct);
                await store.SaveAsync(run, check.Kind, drafts, settings, ct);
                done.Add(check.Kind);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Drift check {Kind} of project {ProjectId} ({RunKey}) failed; the other checks go on", check.Kind, projectId, runKey);
                failures.Add($"{Describe(check.Kind)}: {ex.Message}");
            }
        }

        return await FinishAsync(run, failures, ct);
    }

    /// <summary>A manager's or QA lead's "Run the checks now": the data up to this minute (twice in one minute is one run).</summary>
    public async Task<DriftRun> StartNowAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        }

        var run = await RunAsync(projectId, RunKeys.OnDemand(clock.GetUtcNow().UtcDateTime), user.UserId, ct);
        await audit.WriteAsync(user.UserId, user.DisplayName, "drift.run", "drift-run", run.RunKey, projectId,
            $"{run.NewFindings} new finding(s){(run.State == DriftRunState.Failed ? "; " + run.Message : "")}", ct);
        return run;
    }

    /// <summary>The project's latest runs, newest first.</summary>
    public async Task<IReadOnlyList<DriftRunView>> RunsAsync(PortalPrincipal user, Guid projectId, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        return await db.DriftRuns.AsNoTracking().Where(r => r.ProjectId == projectId).OrderByDescending(r => r.StartedAt).Take(Math.Clamp(take, 1, 100))
            .Select(r => new DriftRunView(r.RunKey, r.State, r.NewFindings, r.StartedAt, r.CompletedAt, r.Message)).ToListAsync(ct);
    }

    public static bool IsOn(DriftSettings s, DriftKind kind) => kind switch
    {
        DriftKind.TaxonomyChange => s.TaxonomyCheck,
        DriftKind.LabelDistributionShift => s.DistributionCheck,
        DriftKind.AgreementDrop => s.AgreementCheck,
        DriftKind.GoldAccuracyDrop => s.GoldCheck,
        DriftKind.Age => s.AgeCheck,
        DriftKind.IntraAnnotatorConsistency => s.RetestCheck,
        _ => false,
    };

    /// <summary>A check's name as managers read it.</summary>
    public static string Describe(DriftKind kind) => kind switch
    {
        DriftKind.TaxonomyChange => "Label set and guideline changes",
        DriftKind.LabelDistributionShift => "Label distribution shift",
        DriftKind.AgreementDrop => "Agreement drop",
        DriftKind.GoldAccuracyDrop => "Gold score drop",
        DriftKind.Age => "Old work",
        DriftKind.IntraAnnotatorConsistency => "Consistency with oneself (retests)",
        _ => kind.ToString(),
    };

    private async Task<DriftRun?> FindAsync(Guid projectId, string runKey, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.DriftRuns.AsNoTracking().SingleOrDefaultAsync(r => r.ProjectId == projectId && r.RunKey == runKey, ct);
    }

    private async Task<DriftRun> StartAsync(Guid projectId, string runKey, Guid? requestedBy, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = new DriftRun
        {
            Id = Guid.NewGuid(), ProjectId = projectId, RunKey = runKey, State = DriftRunState.Running, RequestedById = requestedBy,
            StartedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.DriftRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
            return run;
        }
        catch (DbUpdateException)
        {
            // Another process started the same night a moment ago.
            throw new ConflictException("These drift checks are running right now; look again in a moment.");
        }
    }

    private async Task<(DriftSettings Settings, int? RelabelAgeDays)> SettingsAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var settings = await db.DriftSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ProjectId == projectId, ct) ?? new DriftSettings { ProjectId = projectId };
        var age = await db.Projects.Where(p => p.Id == projectId).Select(p => p.RelabelAgeDays).SingleAsync(ct);
        return (settings, age);
    }

    private static HashSet<DriftKind> Completed(DriftRun run) =>
        [.. run.CompletedChecks.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => (DriftKind)int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// The project's managers and QA leads hear of each finding this run found first (the bell, and the nightly digest
    /// when mail is on); keyed by the finding, so a rerun or a resumed run tells nobody twice. The most severe last, so it
    /// heads the newest-first list.
    /// </summary>
    private async Task NotifyAsync(PortalDbContext db, DriftRun run, CancellationToken ct)
    {
        var project = await db.Projects.Where(p => p.Id == run.ProjectId).Select(p => p.Name).SingleAsync(ct);
        var found = await db.DriftFindings.AsNoTracking().Where(f => f.ProjectId == run.ProjectId && f.RunKey == run.RunKey)
            .OrderBy(f => f.Severity).ThenByDescending(f => f.Id).Select(f => new { f.Id, f.Kind, f.Severity, f.Summary }).ToListAsync(ct);
        foreach (var f in found)
        {
            await notifications.NotifyProjectLeadsAsync(run.ProjectId, $"drift:{f.Id}",
                $"{f.Severity} drift in {project}: {Describe(f.Kind).ToLowerInvariant()}", f.Summary, $"/projects/{run.ProjectId}/drift#finding-{f.Id}", ct);
        }
    }

    private async Task<DriftRun> FinishAsync(DriftRun run, List<string> failures, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var stored = await db.DriftRuns.SingleAsync(r => r.Id == run.Id, ct);
        stored.State = failures.Count == 0 ? DriftRunState.Succeeded : DriftRunState.Failed;
        stored.Message = failures.Count == 0 ? null : $"{failures.Count} check(s) failed and run again next night: {string.Join("; ", failures)}";
        stored.NewFindings = await db.DriftFindings.CountAsync(f => f.ProjectId == run.ProjectId && f.RunKey == run.RunKey, ct);
        stored.CompletedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await NotifyAsync(db, stored, ct);
        return stored;
    }
}

/// <summary>One drift run as the drift page lists it.</summary>
public sealed record DriftRunView(string RunKey, DriftRunState State, int NewFindings, DateTime StartedAt, DateTime? CompletedAt, string? Message);
