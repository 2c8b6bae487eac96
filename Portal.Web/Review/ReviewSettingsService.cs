using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Auth;

namespace Portal.Web.Review;

/// <summary>What a manager sets for the quality workflow of a project.</summary>
public sealed record ReviewSettings(
    ReviewPolicy ReviewPolicy, int ReviewSamplePercent, double AgreementThreshold, double ConsensusVoteThreshold,
    int MaxExtraAnnotators, bool AnonymousAdjudication, string? ReviewerInstructions);

/// <summary>
/// The project's review policy, consensus thresholds, anonymized adjudication and reviewer instructions. Managers and
/// admins only; every change is audited; new reviewer instructions are a new guidelines version (the annotator
/// guidelines stay as they are). Changes apply to tasks evaluated from now on.
/// </summary>
public sealed class ReviewSettingsService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit, TimeProvider clock)
{
    public async Task<(string ProjectName, ReviewSettings Settings)> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var p = await db.Projects.AsNoTracking().SingleAsync(x => x.Id == projectId, ct);
        var instructions = await ReviewService.ReviewerInstructionsAsync(db, projectId, ct);
        return (p.Name, new ReviewSettings(p.ReviewPolicy, p.ReviewSamplePercent, p.AgreementThreshold, p.ConsensusVoteThreshold,
            p.MaxExtraAnnotators, p.AnonymousAdjudication, instructions));
    }

    public async Task SaveAsync(PortalPrincipal user, Guid projectId, ReviewSettings settings, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        var updated = project.Settings with
        {
            ReviewPolicy = settings.ReviewPolicy, ReviewSamplePercent = settings.ReviewSamplePercent, AgreementThreshold = settings.AgreementThreshold,
            ConsensusVoteThreshold = settings.ConsensusVoteThreshold, MaxExtraAnnotators = settings.MaxExtraAnnotators,
            AnonymousAdjudication = settings.AnonymousAdjudication,
        };
        var errors = updated.Validate().ToList();
        var instructions = string.IsNullOrWhiteSpace(settings.ReviewerInstructions) ? null : settings.ReviewerInstructions.Trim();
        if (instructions?.Length > 20_000)
        {
            errors.Add((nameof(ReviewSettings.ReviewerInstructions), "Reviewer instructions are too long (at most 20,000 characters)."));
        }

        if (!Enum.IsDefined(settings.ReviewPolicy))
        {
            errors.Add((nameof(ReviewSettings.ReviewPolicy), "Choose a review policy."));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        var before = project.Settings;
        project.Apply(updated);
        var now = clock.GetUtcNow().UtcDateTime;
        var latest = await db.GuidelineVersions.Where(g => g.ProjectId == projectId).OrderByDescending(g => g.Number).FirstOrDefaultAsync(ct);
        if (latest?.ReviewerInstructions != instructions)
        {
            db.GuidelineVersions.Add(new GuidelineVersion
            {
                Id = Guid.CreateVersion7(), ProjectId = projectId, Number = (latest?.Number ?? 0) + 1, Markdown = latest?.Markdown ?? "",
                ReviewerInstructions = instructions, CreatedAt = now, CreatedById = user.UserId,
            });
        }

        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "project.review-settings", "Project", projectId.ToString(), projectId,
            string.Create(CultureInfo.InvariantCulture,
                $"policy {before.ReviewPolicy}->{updated.ReviewPolicy}, sample {before.ReviewSamplePercent}->{updated.ReviewSamplePercent}%, threshold {before.AgreementThreshold}->{updated.AgreementThreshold}, vote {before.ConsensusVoteThreshold}->{updated.ConsensusVoteThreshold}, extra {before.MaxExtraAnnotators}->{updated.MaxExtraAnnotators}, anonymous {before.AnonymousAdjudication}->{updated.AnonymousAdjudication}, instructions {(latest?.ReviewerInstructions == instructions ? "unchanged" : "changed")}")));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone changed this project's settings at the same moment. Reload to see theirs; yours were not saved.");
        }
    }
}
