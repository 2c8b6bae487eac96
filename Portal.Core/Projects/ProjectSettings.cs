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
        Check(RelabelAgeDays is null or >= 1, nameof(RelabelAgeDays), "Relabel age must be at least one day, or empty.");
        return errors;
    }
}
