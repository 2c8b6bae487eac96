using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Data;

namespace Portal.Web.Audits;

/// <summary>
/// What a manager sets for audits, gold tasks, onboarding and auto-pause. Shares are fractions (0.05 = 5 %), as in
/// <see cref="ProjectSettings"/>, whose field names the validation errors carry.
/// </summary>
/// <param name="Version">The project's version when the settings were read: saving over a newer one is a conflict.</param>
public sealed record QualitySettings(
    AuditSizing AuditSizing, double AuditMarginOfError, double AuditConfidence, int AuditMinPerStratum, int AuditRatePercent,
    int GoldTaskRatePercent, bool ShowGoldFeedback, int OnboardingGoldTasks, double OnboardingThreshold,
    int AutoPauseWindow, double AutoPauseThreshold, int Version);

/// <summary>The project's quality settings: managers and admins only, validated by <see cref="ProjectSettings.Validate"/>, every change audited.</summary>
public sealed class QualitySettingsService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit)
{
    public async Task<(string ProjectName, QualitySettings Settings)> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var p = await db.Projects.AsNoTracking().SingleAsync(x => x.Id == projectId, ct);
        return (p.Name, new QualitySettings(p.AuditSizing, p.AuditMarginOfError, p.AuditConfidence, p.AuditMinPerStratum, p.AuditRatePercent,
            p.GoldTaskRatePercent, p.ShowGoldFeedback, p.OnboardingGoldTasks, p.OnboardingThreshold, p.AutoPauseWindow, p.AutoPauseThreshold, p.Version));
    }

    /// <summary>Saves all or nothing; returns the settings as saved, with the project's new version for the next save.</summary>
    public async Task<QualitySettings> SaveAsync(PortalPrincipal user, Guid projectId, QualitySettings settings, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        var before = project.Settings;
        var updated = before with
        {
            AuditSizing = settings.AuditSizing, AuditMarginOfError = settings.AuditMarginOfError, AuditConfidence = settings.AuditConfidence,
            AuditMinPerStratum = settings.AuditMinPerStratum, AuditRatePercent = settings.AuditRatePercent, GoldTaskRatePercent = settings.GoldTaskRatePercent,
            ShowGoldFeedback = settings.ShowGoldFeedback, OnboardingGoldTasks = settings.OnboardingGoldTasks, OnboardingThreshold = settings.OnboardingThreshold,
            AutoPauseWindow = settings.AutoPauseWindow, AutoPauseThreshold = settings.AutoPauseThreshold,
        };
        var errors = updated.Validate().ToList();
        if (!Enum.IsDefined(settings.AuditSizing))
        {
            errors.Add((nameof(ProjectSettings.AuditSizing), "Choose how audits are sized."));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        project.Apply(updated);
        // The version the manager read is the concurrency check, so a change made since the page opened is not overwritten.
        project.Version = settings.Version;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "project.quality-settings", "Project", projectId.ToString(), projectId, Describe(before, updated)));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone changed this project's settings since you opened them. Reload to see theirs; yours were not saved.");
        }

        return settings with { Version = project.Version };
    }

    private static string Describe(ProjectSettings a, ProjectSettings b) => string.Create(CultureInfo.InvariantCulture,
        $"audit sizing {a.AuditSizing}->{b.AuditSizing}, margin {a.AuditMarginOfError}->{b.AuditMarginOfError}, confidence {a.AuditConfidence}->{b.AuditConfidence}, min per stratum {a.AuditMinPerStratum}->{b.AuditMinPerStratum}, audit rate {a.AuditRatePercent}->{b.AuditRatePercent}%, gold rate {a.GoldTaskRatePercent}->{b.GoldTaskRatePercent}%, gold feedback {a.ShowGoldFeedback}->{b.ShowGoldFeedback}, onboarding {a.OnboardingGoldTasks}->{b.OnboardingGoldTasks} at {a.OnboardingThreshold}->{b.OnboardingThreshold}, auto-pause {a.AutoPauseWindow}->{b.AutoPauseWindow} at {a.AutoPauseThreshold}->{b.AutoPauseThreshold}");
}
