using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Drift;

/// <summary>A project's drift policy: QA leads read it, managers change it (validated, audited).</summary>
public sealed class DriftSettingsService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit)
{
    /// <summary>The policy, and the project's relabel age (the age check's threshold, kept with the project's settings).</summary>
    public async Task<(DriftSettings Settings, int? RelabelAgeDays)> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var age = await db.Projects.Where(p => p.Id == projectId).Select(p => p.RelabelAgeDays).SingleAsync(ct);
        return (await DriftFindingsService.SettingsAsync(db, projectId, ct), age);
    }

    /// <summary>
    /// Saves the whole policy and the relabel age (null: work never gets too old); <paramref name="settings"/>.Version
    /// must be the one read (0 for a project still on the defaults).
    /// </summary>
    public async Task<DriftSettings> SaveAsync(PortalPrincipal user, Guid projectId, DriftSettings settings, int? relabelAgeDays, CancellationToken ct)
    {
        Validate(settings);
        if (Core.Projects.ProjectSettings.RelabelAgeError(relabelAgeDays) is { } ageError)
        {
            throw new ValidationException(nameof(Project.RelabelAgeDays), ageError);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Projects.Where(p => p.Id == projectId && p.RelabelAgeDays != relabelAgeDays)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.RelabelAgeDays, relabelAgeDays).SetProperty(p => p.Version, p => p.Version + 1), ct);
        var stored = await db.DriftSettings.SingleOrDefaultAsync(s => s.ProjectId == projectId, ct);
        if (stored is null)
        {
            stored = new DriftSettings { ProjectId = projectId };
            db.DriftSettings.Add(stored);
        }
        else if (stored.Version != settings.Version)
        {
            throw new ConflictException("Someone else changed the drift settings while you edited them. Reload to see theirs, then make your change again.");
        }

        Copy(settings, stored);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "drift.settings", "project", projectId.ToString(), projectId,
            $"checks {On(settings)}; relabel age {relabelAgeDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}; window {settings.WindowDays} d vs {settings.BaselineDays} d; relabel cap {settings.RelabelCapPerNight}/day to {settings.RelabelTarget}"));
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone else changed the drift settings while you edited them. Reload to see theirs, then make your change again.");
        }

        return stored;
    }

    /// <summary>Every number in range, each error naming its field and the range.</summary>
    public static void Validate(DriftSettings s)
    {
        var errors = new List<(string, string)>();
        void Range(string field, double value, double min, double max, string what)
        {
            if (double.IsNaN(value) || value < min || value > max)
            {
                errors.Add((field, $"{what} must be between {min} and {max}."));
            }
        }

        Range(nameof(s.RelabelCapPerNight), s.RelabelCapPerNight, 0, 10_000, "The daily cap of relabel tasks");
        Range(nameof(s.WindowDays), s.WindowDays, 1, 90, "The window (days)");
        Range(nameof(s.BaselineDays), s.BaselineDays, 1, 365, "The baseline (days)");
        Range(nameof(s.ShiftPValue), s.ShiftPValue, 0.000001, 0.2, "The p-value threshold");
        Range(nameof(s.ShiftJsDistance), s.ShiftJsDistance, 0.01, 1, "The Jensen-Shannon distance threshold");
        Range(nameof(s.ShiftMinItems), s.ShiftMinItems, 5, 100_000, "The minimum items per window");
        Range(nameof(s.EwmaLambda), s.EwmaLambda, 0.05, 1, "The EWMA weight λ");
        Range(nameof(s.EwmaWidth), s.EwmaWidth, 1, 5, "The control-limit width L");
        Range(nameof(s.GoldWindow), s.GoldWindow, 3, 200, "The gold window");
        Range(nameof(s.GoldDrop), s.GoldDrop, 0.01, 1, "The gold score drop");
        Range(nameof(s.RetestRatePercent), s.RetestRatePercent, 0, 20, "The retest rate (%)");
        Range(nameof(s.RetestMinDays), s.RetestMinDays, 1, 365, "The retest delay (days)");
        Range(nameof(s.RetestThreshold), s.RetestThreshold, 0, 1, "The retest agreement threshold");
        Range(nameof(s.RetestMinPairs), s.RetestMinPairs, 1, 1000, "The minimum retests");
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
    }

    private static string On(DriftSettings s) => string.Join(", ", Enum.GetValues<Core.Drift.DriftKind>().Where(k => DriftRunService.IsOn(s, k)).Select(k => k.ToString()));

    private static void Copy(DriftSettings from, DriftSettings to)
    {
        to.TaxonomyCheck = from.TaxonomyCheck;
        to.DistributionCheck = from.DistributionCheck;
        to.AgreementCheck = from.AgreementCheck;
        to.GoldCheck = from.GoldCheck;
        to.AgeCheck = from.AgeCheck;
        to.RetestCheck = from.RetestCheck;
        to.TaxonomyAction = from.TaxonomyAction;
        to.DistributionAction = from.DistributionAction;
        to.AgreementAction = from.AgreementAction;
        to.GoldAction = from.GoldAction;
        to.AgeAction = from.AgeAction;
        to.RetestAction = from.RetestAction;
        to.RelabelCapPerNight = from.RelabelCapPerNight;
        to.RelabelTarget = from.RelabelTarget;
        to.WindowDays = from.WindowDays;
        to.BaselineDays = from.BaselineDays;
        to.ShiftPValue = from.ShiftPValue;
        to.ShiftJsDistance = from.ShiftJsDistance;
        to.ShiftMinItems = from.ShiftMinItems;
        to.EwmaLambda = from.EwmaLambda;
        to.EwmaWidth = from.EwmaWidth;
        to.GoldWindow = from.GoldWindow;
        to.GoldDrop = from.GoldDrop;
        to.RetestRatePercent = from.RetestRatePercent;
        to.RetestMinDays = from.RetestMinDays;
        to.RetestThreshold = from.RetestThreshold;
        to.RetestMinPairs = from.RetestMinPairs;
    }
}
