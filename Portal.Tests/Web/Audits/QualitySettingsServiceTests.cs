using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Audits;

namespace Portal.Tests.Web.Audits;

public class QualitySettingsServiceTests
{
    private static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    [Fact]
    public async Task Save_StoresEveryKnob_AndAuditsTheChange()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = database.Get<QualitySettingsService>();
        var (_, read) = await service.GetAsync(Manager, projectId, default);

        var saved = await service.SaveAsync(Manager, projectId, read with
        {
            AuditSizing = AuditSizing.Percent, AuditRatePercent = 12, AuditMarginOfError = 0.03, AuditConfidence = 0.9, AuditMinPerStratum = 4,
            GoldTaskRatePercent = 7, ShowGoldFeedback = true, OnboardingGoldTasks = 5, OnboardingThreshold = 0.7, AutoPauseWindow = 8, AutoPauseThreshold = 0.55,
        }, default);

        await using var db = await database.ContextAsync();
        var p = await db.Projects.SingleAsync(x => x.Id == projectId);
        Assert.Equal((AuditSizing.Percent, 12, 0.03, 0.9, 4), (p.AuditSizing, p.AuditRatePercent, p.AuditMarginOfError, p.AuditConfidence, p.AuditMinPerStratum));
        Assert.Equal((7, true, 5, 0.7, 8, 0.55), (p.GoldTaskRatePercent, p.ShowGoldFeedback, p.OnboardingGoldTasks, p.OnboardingThreshold, p.AutoPauseWindow, p.AutoPauseThreshold));
        Assert.Equal(p.Version, saved.Version);
        var entry = await db.AuditLog.SingleAsync(e => e.Action == "project.quality-settings");
        Assert.Equal(projectId, entry.ProjectId);
        Assert.Contains("audit sizing MarginOfError->Percent", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_BadValues_AreRefusedByField_AndNothingIsSaved()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = database.Get<QualitySettingsService>();
        var (_, read) = await service.GetAsync(Manager, projectId, default);

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            service.SaveAsync(Manager, projectId, read with { AuditMarginOfError = 0.5, AutoPauseThreshold = 1.5, GoldTaskRatePercent = 3 }, default));

        Assert.Equal([nameof(ProjectSettings.AuditMarginOfError), nameof(ProjectSettings.AutoPauseThreshold)], error.Errors.Select(e => e.Field));
        await using var db = await database.ContextAsync();
        var p = await db.Projects.SingleAsync(x => x.Id == projectId);
        Assert.Equal((0.05, 0.6, 0), (p.AuditMarginOfError, p.AutoPauseThreshold, p.GoldTaskRatePercent));
        Assert.False(await db.AuditLog.AnyAsync(e => e.Action == "project.quality-settings"));
    }

    [Fact]
    public async Task Save_OverAChangeMadeSinceReading_IsAConflict()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = database.Get<QualitySettingsService>();
        var (_, mine) = await service.GetAsync(Manager, projectId, default);
        await service.SaveAsync(Manager, projectId, mine with { GoldTaskRatePercent = 10 }, default);

        await Assert.ThrowsAsync<ConflictException>(() => service.SaveAsync(Manager, projectId, mine with { GoldTaskRatePercent = 20 }, default));

        await using var db = await database.ContextAsync();
        Assert.Equal(10, await db.Projects.Where(x => x.Id == projectId).Select(x => x.GoldTaskRatePercent).SingleAsync());
    }

    [Fact]
    public async Task Annotators_MayNotReadOrChangeThem()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap: 1, annotators: 1);
        var service = database.Get<QualitySettingsService>();
        var (_, read) = await service.GetAsync(Manager, projectId, default);

        await Assert.ThrowsAsync<ForbiddenException>(() => service.GetAsync(people[0], projectId, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.SaveAsync(people[0], projectId, read, default));
    }
}
