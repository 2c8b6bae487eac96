using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Drift;

/// <summary>
/// The drift page's reads and actions for a project's managers and QA leads (Reviewer role or higher, checked on every
/// call; annotators never see findings): the findings with their evidence and items, acknowledge, dismiss with a
/// reason, relabel tasks, send to review, and — for a label-set change — confirm the work still holds.
/// </summary>
public sealed class DriftFindingsService(
    IDbContextFactory<PortalDbContext> factory, ProjectAccess access, DriftPolicy policy, AuditLog audit, TimeProvider clock)
{
    public async Task<DriftOverview> OverviewAsync(PortalPrincipal user, Guid projectId, bool includeClosed, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var name = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
        var settings = await SettingsAsync(db, projectId, ct);
        var rows = await db.DriftFindings.AsNoTracking()
            .Where(f => f.ProjectId == projectId && (includeClosed || f.State == DriftFindingState.Open || f.State == DriftFindingState.Acknowledged))
            .OrderByDescending(f => f.State == DriftFindingState.Open || f.State == DriftFindingState.Acknowledged)
            .ThenByDescending(f => f.Severity).ThenByDescending(f => f.LastSeenAt).ThenBy(f => f.Id)
            .Take(200).ToListAsync(ct);
        var ids = rows.Select(f => f.Id).ToList();
        var relabels = await db.RelabelItems.AsNoTracking().Where(r => r.DriftFindingId != null && ids.Contains(r.DriftFindingId.Value))
            .GroupBy(r => r.DriftFindingId!.Value)
            .Select(g => new { g.Key, Done = g.Count(r => r.ResolvedAt != null), Agreement = g.Average(r => r.Agreement) })
            .ToDictionaryAsync(g => g.Key, ct);
        var people = await NamesAsync(db, rows.Where(f => f.StateChangedById != null).Select(f => f.StateChangedById!.Value), ct);
        var findings = rows.Select(f => new DriftFindingView(
            f.Id, f.Kind, f.Subject, f.Severity, f.State, f.Summary, f.Statistic, f.Threshold, f.PValue, f.AffectedCount, f.ActionTaken,
            f.RelabelItemsCreated, relabels.TryGetValue(f.Id, out var r) ? r.Done : 0, r?.Agreement, f.DetectedAt, f.LastSeenAt, f.RunKey, f.LastRunKey,
            f.StateChangedById is { } by ? people.GetValueOrDefault(by, "someone") : f.StateChangedAt is null ? null : "Portal",
            f.StateChangedAt, f.DismissReason, DriftFindingView.ReadEvidence(f.Kind, f.EvidenceJson), f.Version)).ToList();
        var runs = await db.DriftRuns.AsNoTracking().Where(x => x.ProjectId == projectId).OrderByDescending(x => x.StartedAt).Take(10)
            .Select(x => new DriftRunView(x.RunKey, x.State, x.NewFindings, x.StartedAt, x.CompletedAt, x.Message)).ToListAsync(ct);
        var room = await policy.RelabelRoomTodayAsync(db, projectId, settings, ct);
        return new DriftOverview(name, findings, runs, room, settings.RelabelCapPerNight, role);
    }

    /// <summary>A page of a finding's affected items, in the order the check ranked them.</summary>
    public async Task<IReadOnlyList<DriftItemView>> ItemsAsync(PortalPrincipal user, Guid projectId, long findingId, int skip, int take, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        await FindAsync(db, projectId, findingId, ct);
        var items = await db.DriftFindingItems.AsNoTracking().Where(i => i.DriftFindingId == findingId).OrderBy(i => i.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200))
            .Select(i => new
            {
                i.TaskId, i.AnnotationId, i.UserId, i.Since, i.Detail,
                Text = db.Tasks.Where(t => t.Id == i.TaskId).Select(t => t.Text.Substring(0, 120)).FirstOrDefault(),
                Relabel = db.RelabelItems.Where(r => r.Id == i.RelabelItemId).Select(r => new { r.ResolvedAt, r.Agreement }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var names = await NamesAsync(db, items.Where(i => i.UserId != null).Select(i => i.UserId!.Value), ct);
        return [.. items.Select(i => new DriftItemView(
            i.TaskId, i.AnnotationId, i.UserId is { } u ? names.GetValueOrDefault(u, "someone") : null, i.Since, i.Detail, i.Text ?? "",
            i.Relabel is null ? RelabelProgress.None : i.Relabel.ResolvedAt is null ? RelabelProgress.Waiting : RelabelProgress.Done, i.Relabel?.Agreement))];
    }

    public Task AcknowledgeAsync(PortalPrincipal user, Guid projectId, long findingId, CancellationToken ct) =>
        ChangeStateAsync(user, projectId, findingId, DriftFindingState.Acknowledged, null, "drift.acknowledge", ct);

    public Task DismissAsync(PortalPrincipal user, Guid projectId, long findingId, string reason, CancellationToken ct)
    {
        reason = reason?.Trim() ?? "";
        if (reason.Length < 3 || reason.Length > 2000)
        {
            throw new ValidationException(nameof(DriftFinding.DismissReason), "Say in a few words why this finding needs no action (3 to 2000 characters).");
        }

        return ChangeStateAsync(user, projectId, findingId, DriftFindingState.Dismissed, reason, "drift.dismiss", ct);
    }

    /// <summary>Relabel tasks for the finding's items not yet sent, within today's cap; returns how many were made.</summary>
    public async Task<int> CreateRelabelTasksAsync(PortalPrincipal user, Guid projectId, long findingId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var finding = await OpenAsync(db, projectId, findingId, ct);
        var settings = await SettingsAsync(db, projectId, ct);
        if (await policy.RelabelRoomTodayAsync(db, projectId, settings, ct) == 0)
        {
            throw new ValidationException(nameof(DriftSettings.RelabelCapPerNight),
                $"Today's {settings.RelabelCapPerNight} relabel tasks from drift findings are made already. A manager can raise the daily cap in the drift settings.");
        }

        return await ApplyAuditedAsync(db, user, finding, DriftAction.CreateRelabelTasks, settings, "drift.relabel", "relabel task(s)", ct);
    }

    /// <summary>Sends the finding's submitted and accepted work to the review queue; returns how many annotations went.</summary>
    public async Task<int> SendToReviewAsync(PortalPrincipal user, Guid projectId, long findingId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var finding = await OpenAsync(db, projectId, findingId, ct);
        return await ApplyAuditedAsync(db, user, finding, DriftAction.SendToReview, await SettingsAsync(db, projectId, ct), "drift.review", "annotation(s) sent to review", ct);
    }

    /// <summary>A policy applied by hand, with its audit entry, in one transaction.</summary>
    private async Task<int> ApplyAuditedAsync(PortalDbContext db, PortalPrincipal user, DriftFinding finding, DriftAction action, DriftSettings settings,
        string auditAction, string what, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var count = await policy.ApplyAsync(db, finding, action, settings, user.UserId, ct);
        if (count == 0 && action == DriftAction.CreateRelabelTasks)
        {
            throw new ValidationException("Items", "No relabel task could be made: every item has one already, or no annotator of the project may take it (all on hold, or all labeled the task).");
        }

        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, auditAction, "drift-finding", finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), finding.ProjectId, $"{count} {what}"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return count;
    }

    /// <summary>
    /// For a label-set change: the manager confirms the waiting work still holds under the changed definitions. Each
    /// annotation gets a revision saying so and counts as labeled under the current label set; the finding resolves.
    /// </summary>
    public async Task<int> ConfirmAsync(PortalPrincipal user, Guid projectId, long findingId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var finding = await OpenAsync(db, projectId, findingId, ct);
        if (finding.Kind != DriftKind.TaxonomyChange)
        {
            throw new ValidationException(nameof(DriftFinding.Kind), "Only work made under a changed label can be confirmed; relabel or dismiss this finding instead.");
        }

        var current = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct)
            ?? throw new ConflictException("The project has no published label set.");
        var ids = await db.DriftFindingItems.Where(i => i.DriftFindingId == findingId && i.AnnotationId != null && i.RelabelItemId == null)
            .Select(i => i.AnnotationId!.Value).Distinct().ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var confirmed = 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var chunk in ids.Chunk(500))
        {
            var annotations = await db.Annotations.Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
                .Where(a => chunk.Contains(a.Id) && a.LabeledUnderVersionId != current).ToListAsync(ct);
            var whole = await AnnotationStore.ResultsOfAsync(db, annotations, ct);
            foreach (var a in annotations)
            {
                a.LabeledUnderVersionId = current;
                a.UpdatedAt = now;
                AnnotationStore.Record(db, a, user.UserId, now, whole[a.Id], RevisionReason.Confirm, $"Confirmed under the changed label definitions (drift finding #{findingId})");
                confirmed++;
            }

            await AnnotationStore.SaveAsync(db, ct);
        }

        finding.State = DriftFindingState.Resolved;
        finding.StateChangedAt = now;
        finding.StateChangedById = user.UserId;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "drift.confirm", "drift-finding", findingId.ToString(System.Globalization.CultureInfo.InvariantCulture), projectId, $"{confirmed} annotation(s) confirmed"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return confirmed;
    }

    private async Task ChangeStateAsync(PortalPrincipal user, Guid projectId, long findingId, DriftFindingState state, string? reason, string action, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var finding = await OpenAsync(db, projectId, findingId, ct);
        if (finding.State == state)
        {
            return;
        }

        finding.State = state;
        finding.DismissReason = reason;
        finding.StateChangedAt = clock.GetUtcNow().UtcDateTime;
        finding.StateChangedById = user.UserId;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, action, "drift-finding", findingId.ToString(System.Globalization.CultureInfo.InvariantCulture), projectId, reason));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone else changed this finding a moment ago. Reload the page to see where it stands.");
        }
    }

    private static async Task<DriftFinding> FindAsync(PortalDbContext db, Guid projectId, long findingId, CancellationToken ct) =>
        await db.DriftFindings.SingleOrDefaultAsync(f => f.Id == findingId && f.ProjectId == projectId, ct) ?? throw new NotFoundException("The drift finding");

    private static async Task<DriftFinding> OpenAsync(PortalDbContext db, Guid projectId, long findingId, CancellationToken ct)
    {
        var finding = await FindAsync(db, projectId, findingId, ct);
        if (finding.State is DriftFindingState.Resolved or DriftFindingState.Dismissed)
        {
            throw new ConflictException($"This finding is {finding.State.ToString().ToLowerInvariant()} already; the night's checks open a new one if the drift comes back.");
        }

        return finding;
    }

    internal static async Task<DriftSettings> SettingsAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        await db.DriftSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ProjectId == projectId, ct) ?? new DriftSettings { ProjectId = projectId };

    private static async Task<Dictionary<Guid, string>> NamesAsync(PortalDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var list = ids.Distinct().ToList();
        return list.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => list.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }
}
