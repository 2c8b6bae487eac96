using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Audits;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Audits;
using Portal.Web.Common;
using Portal.Web.Drift;

namespace Portal.Tests.Web.Drift;

/// <summary>
/// The drift run around the checks, on SQLite with scripted checks: findings stored once per drift, reruns idempotent,
/// a failed check resumed alone, dismissals that hold, and what a finding does (relabel tasks within the cap, review, confirm).
/// </summary>
public class DriftRunServiceTests
{
    private const string Night1 = "2026-11-21";
    private const string Night2 = "2026-11-22";

    [Fact]
    public async Task Run_StoresEachFindingWithItsItems_AndARerunOfTheNightChangesNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 3);
        var check = new ScriptedCheck(DriftKind.GoldAccuracyDrop, _ => [Draft(data, annotations, "annotator:a", DriftSeverity.Medium, 3)]);
        var service = Service(database, check);

        var first = await service.RunAsync(data.ProjectId, Night1, null, default);
        var again = await service.RunAsync(data.ProjectId, Night1, null, default);

        Assert.Equal(DriftRunState.Succeeded, first.State);
        Assert.Equal(1, first.NewFindings);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, check.Calls);
        await using var db = await database.ContextAsync();
        var finding = await db.DriftFindings.SingleAsync();
        Assert.Equal((DriftKind.GoldAccuracyDrop, "annotator:a", DriftFindingState.Open, 3), (finding.Kind, finding.Subject, finding.State, finding.AffectedCount));
        Assert.Equal(3, await db.DriftFindingItems.CountAsync(i => i.DriftFindingId == finding.Id));
        Assert.Contains("\"recent\":0.5", finding.EvidenceJson, StringComparison.Ordinal);
        // The QA lead hears of it once (not the annotator), with a link to the finding.
        var notice = await db.Notifications.SingleAsync(n => n.UserId == data.Lead.UserId);
        Assert.False(await db.Notifications.AnyAsync(n => n.UserId == data.Annotators[0].UserId));
        Assert.Equal($"/projects/{data.ProjectId}/drift#finding-{finding.Id}", notice.Link);
        Assert.StartsWith("Medium drift in ", notice.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TheSameDriftFoundTheNextNight_UpdatesTheOpenFinding_InsteadOfAddingOne()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 3);
        var severity = DriftSeverity.Low;
        var service = Service(database, new ScriptedCheck(DriftKind.GoldAccuracyDrop, _ => [Draft(data, annotations, "annotator:a", severity, 2)]));
        await service.RunAsync(data.ProjectId, Night1, null, default);

        severity = DriftSeverity.High;
        await service.RunAsync(data.ProjectId, Night2, null, default);

        await using var db = await database.ContextAsync();
        var finding = await db.DriftFindings.SingleAsync();
        Assert.Equal((Night1, Night2, DriftSeverity.High), (finding.RunKey, finding.LastRunKey, finding.Severity));
        Assert.Equal(2, await db.DriftFindingItems.CountAsync());
        Assert.Equal(0, (await db.DriftRuns.SingleAsync(r => r.RunKey == Night2)).NewFindings);
    }

    [Fact]
    public async Task Run_ACheckThatFails_DoesNotStopTheOthers_AndTheNextAttemptRunsOnlyIt()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 3);
        var failing = true;
        var flaky = new ScriptedCheck(DriftKind.AgreementDrop, _ => failing ? throw new InvalidOperationException("snapshots unreadable") : [Draft(data, annotations, "measure:x", DriftSeverity.Low, 1)]);
        var steady = new ScriptedCheck(DriftKind.GoldAccuracyDrop, _ => [Draft(data, annotations, "annotator:a", DriftSeverity.Low, 1)]);
        var service = Service(database, flaky, steady);

        var failed = await service.RunAsync(data.ProjectId, Night1, null, default);
        failing = false;
        var resumed = await service.RunAsync(data.ProjectId, Night1, null, default);

        Assert.Equal(DriftRunState.Failed, failed.State);
        Assert.Contains("Agreement drop: snapshots unreadable", failed.Message, StringComparison.Ordinal);
        Assert.Equal(DriftRunState.Succeeded, resumed.State);
        Assert.Equal((2, 1), (flaky.Calls, steady.Calls));
        Assert.Equal(2, resumed.NewFindings);
    }

    [Fact]
    public async Task Run_ADismissedDrift_StaysQuiet_UntilItGetsMoreSevere()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 3);
        var severity = DriftSeverity.Medium;
        var service = Service(database, new ScriptedCheck(DriftKind.GoldAccuracyDrop, _ => [Draft(data, annotations, "annotator:a", severity, 1)]));
        await service.RunAsync(data.ProjectId, Night1, null, default);
        var findings = database.Get<DriftFindingsService>();
        var id = (await findings.OverviewAsync(data.Lead, data.ProjectId, false, default)).Findings.Single().Id;
        await findings.DismissAsync(data.Lead, data.ProjectId, id, "Known: she was on the new product line that week.", default);

        await service.RunAsync(data.ProjectId, Night2, null, default);
        var quiet = await findings.OverviewAsync(data.Lead, data.ProjectId, false, default);
        severity = DriftSeverity.High;
        await service.RunAsync(data.ProjectId, "2026-11-23", null, default);
        var louder = await findings.OverviewAsync(data.Lead, data.ProjectId, false, default);

        Assert.Empty(quiet.Findings);
        Assert.Equal(DriftSeverity.High, Assert.Single(louder.Findings).Severity);
        var all = await findings.OverviewAsync(data.Lead, data.ProjectId, true, default);
        Assert.Contains(all.Findings, f => f.State == DriftFindingState.Dismissed && f.DismissReason == "Known: she was on the new product line that week." && f.StateChangedBy == "Quinn Lead");
    }

    [Fact]
    public async Task Policy_CreatesRelabelTasksForTheOriginalAnnotator_WithTheEarlierAnswer_WithinTheDailyCap()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 3);
        await SaveSettingsAsync(database, data, s => (s.GoldAction, s.RelabelCapPerNight) = (DriftAction.CreateRelabelTasks, 2));
        var service = Service(database, new ScriptedCheck(DriftKind.GoldAccuracyDrop, _ => [Draft(data, annotations, "annotator:a", DriftSeverity.High, 3)]));

        await service.RunAsync(data.ProjectId, Night1, null, default);

        await using var db = await database.ContextAsync();
        var finding = await db.DriftFindings.SingleAsync();
        var relabels = await db.RelabelItems.Where(r => r.DriftFindingId == finding.Id).OrderBy(r => r.Id).ToListAsync();
        Assert.Equal(2, relabels.Count);
        Assert.Equal((DriftAction.CreateRelabelTasks, 2), (finding.ActionTaken, finding.RelabelItemsCreated));
        Assert.All(relabels, r => Assert.Equal(data.Annotators[0].UserId, r.AssignedToUserId));
        Assert.All(relabels, r => Assert.Contains(data.Labels[0].ToString(), r.PreviousResultJson!, StringComparison.Ordinal));
        Assert.Equal(2, await db.DriftFindingItems.CountAsync(i => i.DriftFindingId == finding.Id && i.RelabelItemId != null));
        var manual = await Assert.ThrowsAsync<ValidationException>(() => database.Get<DriftFindingsService>().CreateRelabelTasksAsync(data.Lead, data.ProjectId, finding.Id, default));
        Assert.Contains("Today's 2 relabel tasks", manual.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_AnotherAnnotator_GetsTheTask_WhenTheOriginalIsOnHold()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 1, annotators: 2);
        await SaveSettingsAsync(database, data, s => s.GoldAction = DriftAction.CreateRelabelTasks);
        await using (var db = await database.ContextAsync())
        {
            await db.ProjectMembers.Where(m => m.UserId == data.Annotators[0].UserId)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.Hold, AnnotatorHold.Paused));
        }

        await Service(database, new ScriptedCheck(DriftKind.GoldAccuracyDrop, _ => [Draft(data, annotations, "annotator:a", DriftSeverity.High, 1)])).RunAsync(data.ProjectId, Night1, null, default);

        await using var check = await database.ContextAsync();
        Assert.Equal(data.Annotators[1].UserId, (await check.RelabelItems.SingleAsync()).AssignedToUserId);
    }

    [Fact]
    public async Task SendToReview_FlagsSubmittedWork_AndReopensAcceptedWorkWithARevision()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 2);
        await using (var db = await database.ContextAsync())
        {
            var first = await db.Annotations.OrderBy(a => a.Id).FirstAsync();
            first.Status = AnnotationStatus.Accepted;
            await db.SaveChangesAsync();
        }

        await Service(database, new ScriptedCheck(DriftKind.LabelDistributionShift, _ => [Draft(data, annotations, "project", DriftSeverity.Medium, 2)])).RunAsync(data.ProjectId, Night1, null, default);
        var id = (await database.Get<DriftFindingsService>().OverviewAsync(data.Lead, data.ProjectId, false, default)).Findings.Single().Id;

        var sent = await database.Get<DriftFindingsService>().SendToReviewAsync(data.Lead, data.ProjectId, id, default);

        Assert.Equal(2, sent);
        await using var check = await database.ContextAsync();
        Assert.All(await check.Annotations.ToListAsync(), a => Assert.Equal((AnnotationStatus.Submitted, true), (a.Status, a.ReviewRequested)));
        Assert.Equal(1, await check.AnnotationRevisions.CountAsync(r => r.Reason == RevisionReason.Reopen && r.Note!.Contains("drift finding")));
        Assert.Contains(await check.AuditLog.Select(e => e.Action).ToListAsync(), a => a == "drift.review");
    }

    [Fact]
    public async Task Confirm_StampsTheWorkWithTheCurrentLabelSet_WritesARevision_AndResolvesTheFinding()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 2);
        await Service(database, new ScriptedCheck(DriftKind.TaxonomyChange, _ => [Draft(data, annotations, "label:x", DriftSeverity.Medium, 2)])).RunAsync(data.ProjectId, Night1, null, default);
        var findings = database.Get<DriftFindingsService>();
        var id = (await findings.OverviewAsync(data.Lead, data.ProjectId, false, default)).Findings.Single().Id;

        var confirmed = await findings.ConfirmAsync(data.Lead, data.ProjectId, id, default);

        Assert.Equal(2, confirmed);
        await using var db = await database.ContextAsync();
        Assert.All(await db.Annotations.ToListAsync(), a => Assert.Equal(data.VersionId, a.LabeledUnderVersionId));
        Assert.Equal(2, await db.AnnotationRevisions.CountAsync(r => r.Reason == RevisionReason.Confirm));
        Assert.Equal(DriftFindingState.Resolved, (await db.DriftFindings.SingleAsync()).State);
    }

    [Fact]
    public async Task ItemChecks_ResolveTheirFinding_WhenNothingWaitsAnyMore()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 2);
        var waiting = true;
        var service = Service(database, new ScriptedCheck(DriftKind.Age, _ => waiting ? [Draft(data, annotations, "project", DriftSeverity.Low, 2)] : []));
        await service.RunAsync(data.ProjectId, Night1, null, default);

        waiting = false;
        await service.RunAsync(data.ProjectId, Night2, null, default);

        await using var db = await database.ContextAsync();
        var finding = await db.DriftFindings.SingleAsync();
        Assert.Equal((DriftFindingState.Resolved, (Guid?)null), (finding.State, finding.StateChangedById));
    }

    [Fact]
    public async Task Findings_AreForQaLeadsAndManagers_AnAnnotatorIsTurnedAway_AndADismissalNeedsAReason()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 1);
        await Service(database, new ScriptedCheck(DriftKind.Age, _ => [Draft(data, annotations, "project", DriftSeverity.Low, 1)])).RunAsync(data.ProjectId, Night1, null, default);
        var findings = database.Get<DriftFindingsService>();
        var id = (await findings.OverviewAsync(data.Lead, data.ProjectId, false, default)).Findings.Single().Id;

        await Assert.ThrowsAsync<ForbiddenException>(() => findings.OverviewAsync(data.Annotators[0], data.ProjectId, false, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => findings.ItemsAsync(data.Annotators[0], data.ProjectId, id, 0, 10, default));
        var empty = await Assert.ThrowsAsync<ValidationException>(() => findings.DismissAsync(data.Lead, data.ProjectId, id, "  ", default));
        Assert.Equal("DismissReason", empty.Errors.Single().Field);
        await Assert.ThrowsAsync<NotFoundException>(() => findings.AcknowledgeAsync(data.Lead, Guid.NewGuid(), id, default));
    }

    [Fact]
    public async Task Settings_AreSavedByManagersOnly_AndEachBadNumberNamesItsField()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (data, annotations) = await SeedAsync(database, 1);
        var settings = database.Get<DriftSettingsService>();
        var manager = new PortalPrincipal(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });
        var (current, age) = await settings.GetAsync(data.Lead, data.ProjectId, default);

        await Assert.ThrowsAsync<ForbiddenException>(() => settings.SaveAsync(data.Lead, data.ProjectId, current, 90, default));
        current.WindowDays = 0;
        current.ShiftJsDistance = 2;
        var bad = await Assert.ThrowsAsync<ValidationException>(() => settings.SaveAsync(manager, data.ProjectId, current, 90, default));
        current.WindowDays = 14;
        current.ShiftJsDistance = 0.2;
        await settings.SaveAsync(manager, data.ProjectId, current, 90, default);

        Assert.Null(age);
        Assert.Equal(["WindowDays", "ShiftJsDistance"], bad.Errors.Select(e => e.Field));
        var (saved, savedAge) = await settings.GetAsync(data.Lead, data.ProjectId, default);
        Assert.Equal((14, 0.2, (int?)90), (saved.WindowDays, saved.ShiftJsDistance, savedAge));
    }

    /// <summary>A project with <paramref name="count"/> submitted annotations of its first annotator, returned oldest first.</summary>
    private static async Task<(AuditTestData Data, List<Annotation> Annotations)> SeedAsync(TestDatabase database, int count, int annotators = 1)
    {
        var data = await AuditTestData.CreateAsync(database, tasks: 20, annotators: annotators);
        await data.SubmitAsync(database, data.Annotators[0], count, data.Labels[0], AnnotationSource.Human, AuditTestData.Day1);
        await using var db = await database.ContextAsync();
        return (data, await db.Annotations.AsNoTracking().Where(a => a.ProjectId == data.ProjectId).OrderBy(a => a.Id).ToListAsync());
    }

    private static async Task SaveSettingsAsync(TestDatabase database, AuditTestData data, Action<DriftSettings> change)
    {
        await using var db = await database.ContextAsync();
        var settings = new DriftSettings { ProjectId = data.ProjectId };
        change(settings);
        db.DriftSettings.Add(settings);
        await db.SaveChangesAsync();
    }

    /// <summary>A finding about the first <paramref name="items"/> of <paramref name="annotations"/>.</summary>
    private static DriftFindingDraft Draft(AuditTestData data, List<Annotation> annotations, string subject, DriftSeverity severity, int items) =>
        new(subject, severity, $"Scripted finding about {subject}", 0.2, 0.15, 0.01,
            new GoldTrendEvidence(data.Annotators[0].UserId, "Ana", 10, [], 0.5, 0.8, 0.85, 0.3, 0.15, 10, 10, 0.01),
            items, [.. annotations.Take(items).Select(a => new DriftItemDraft(a.TaskId, a.Id, a.UserId, a.SubmittedAt, "scripted"))]);

    private static DriftRunService Service(TestDatabase database, params IDriftCheck[] checks) =>
        new(database.Factory, checks, database.Get<DriftFindingStore>(), database.Get<Portal.Web.Notifications.NotificationService>(), database.Get<ProjectAccess>(), database.Get<RunLocks>(), database.Get<AuditLog>(),
            TimeProvider.System, NullLogger<DriftRunService>.Instance);

    private sealed class ScriptedCheck(DriftKind kind, Func<DriftCheckContext, IReadOnlyList<DriftFindingDraft>> find) : IDriftCheck
    {
        public int Calls { get; private set; }

        public DriftKind Kind => kind;

        public Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
        {
            Calls++;
            return Task.FromResult(find(context));
        }
    }
}
