using Portal.Core.Audits;

namespace Portal.Core.Projects;

public enum ReviewPolicy
{
    None = 0,
    All = 1,
    RandomSample = 2,
    LowAgreementOnly = 3,
}

/// <summary>The knobs a manager sets when creating a project (DESIGN.md, flow 1).</summary>
public sealed record ProjectSettings
{
    public int AnnotatorsPerTask { get; init; } = 2;
    public int CoveragePercent { get; init; } = 100;
    public ReviewPolicy ReviewPolicy { get; init; } = ReviewPolicy.LowAgreementOnly;
    public int ReviewSamplePercent { get; init; } = 10;
    public int GoldTaskRatePercent { get; init; }
    public double AgreementThreshold { get; init; } = 0.8;
    public int MaxExtraAnnotators { get; init; } = 1;

    /// <summary>
    /// Share of annotators a span or choice needs (at least) to enter the consensus and to be pre-accepted in adjudication;
    /// the default 0.51 is a majority, so with two annotators only what both marked counts.
    /// </summary>
    public double ConsensusVoteThreshold { get; init; } = 0.51;

    /// <summary>Adjudicators see "Annotator A, B…" instead of names.</summary>
    public bool AnonymousAdjudication { get; init; }
    public int AuditRatePercent { get; init; } = 5;
    public int ReservationMinutes { get; init; } = 30;
    public int? RelabelAgeDays { get; init; }

    /// <summary>How nightly audits size their sample: to a margin of error per annotator, or a plain percentage (<see cref="AuditRatePercent"/>; 0 turns audits off).</summary>
    public AuditSizing AuditSizing { get; init; } = AuditSizing.MarginOfError;

    /// <summary>Target half-width of each annotator's error-rate interval, e.g. 0.05 for +/-5 %.</summary>
    public double AuditMarginOfError { get; init; } = 0.05;

    public double AuditConfidence { get; init; } = 0.95;
    public int AuditMinPerStratum { get; init; } = 2;

    /// <summary>After submitting a gold task the annotator sees "this was a check task" with the expected answer.</summary>
    public bool ShowGoldFeedback { get; init; }

    /// <summary>A new annotator first gets this many gold tasks (0: no onboarding) and must reach <see cref="OnboardingThreshold"/>.</summary>
    public int OnboardingGoldTasks { get; init; }

    public double OnboardingThreshold { get; init; } = 0.8;

    /// <summary>Pause an annotator whose mean score over their last this-many gold tasks falls below <see cref="AutoPauseThreshold"/> (0: never).</summary>
    public int AutoPauseWindow { get; init; }

    public double AutoPauseThreshold { get; init; } = 0.6;

    /// <summary>Every rule broken, as (field, message) pairs a form can show next to the field.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                errors.Add((field, message));
            }
        }

        Check(AnnotatorsPerTask is >= 1 and <= 20, nameof(AnnotatorsPerTask), "Annotators per task must be between 1 and 20.");
        Check(CoveragePercent is >= 1 and <= 100, nameof(CoveragePercent), "Coverage must be between 1 and 100 %.");
        Check(ReviewSamplePercent is >= 0 and <= 100, nameof(ReviewSamplePercent), "Review sample must be between 0 and 100 %.");
        Check(GoldTaskRatePercent is >= 0 and <= 50, nameof(GoldTaskRatePercent), "Gold-task rate must be between 0 and 50 %.");
        Check(AgreementThreshold is >= 0 and <= 1, nameof(AgreementThreshold), "Agreement threshold must be between 0 and 1.");
        Check(ConsensusVoteThreshold is > 0 and <= 1, nameof(ConsensusVoteThreshold), "The consensus vote threshold must be above 0 and at most 1.");
        Check(MaxExtraAnnotators is >= 0 and <= 10, nameof(MaxExtraAnnotators), "Extra annotators must be between 0 and 10.");
        Check(AuditRatePercent is >= 0 and <= 100, nameof(AuditRatePercent), "Audit rate must be between 0 and 100 %.");
        Check(ReservationMinutes is >= 1 and <= 24 * 60, nameof(ReservationMinutes), "Reservation time must be between 1 minute and 24 hours.");
        Check(RelabelAgeError(RelabelAgeDays) is null, nameof(RelabelAgeDays), RelabelAgeError(RelabelAgeDays) ?? "");
        Check(AuditMarginOfError is >= 0.01 and <= 0.25, nameof(AuditMarginOfError), "The audit margin of error must be between 1 and 25 %.");
        Check(AuditConfidence is >= 0.8 and <= 0.999, nameof(AuditConfidence), "The audit confidence must be between 80 and 99.9 %.");
        Check(AuditMinPerStratum is >= 0 and <= 100, nameof(AuditMinPerStratum), "The minimum audit items per stratum must be between 0 and 100.");
        Check(OnboardingGoldTasks is >= 0 and <= 100, nameof(OnboardingGoldTasks), "Onboarding gold tasks must be between 0 and 100.");
        Check(OnboardingThreshold is >= 0 and <= 1, nameof(OnboardingThreshold), "The onboarding threshold must be between 0 and 1.");
        Check(AutoPauseWindow is >= 0 and <= 100, nameof(AutoPauseWindow), "The auto-pause window must be between 0 and 100 gold tasks.");
        Check(AutoPauseThreshold is >= 0 and <= 1, nameof(AutoPauseThreshold), "The auto-pause threshold must be between 0 and 1.");
        return errors;
    }

    /// <summary>What is wrong with a relabel age, or null when it is allowed (the drift settings save it too, by this rule).</summary>
    public static string? RelabelAgeError(int? days) =>
        days is null or (>= 1 and <= 3650) ? null : "The relabel age must be between 1 and 3650 days, or empty for none.";
}
